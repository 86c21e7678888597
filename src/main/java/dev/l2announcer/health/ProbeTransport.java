package dev.l2announcer.health;

import dev.l2announcer.datapath.Device;

import java.net.InetAddress;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * Sends probes for announced IPs out of one local interface and collects every answer within a window: ARP probes
 * for IPv4 ({@link PacketSocketArpProbes}), DAD-form Neighbor Solicitations for IPv6 ({@link PacketSocketNdpProbes}),
 * both behind {@link DualStackProbes}.
 */
@FunctionalInterface
public interface ProbeTransport {
    /**
     * Probes all {@code ips} at once on {@code via} and listens for {@code window}.
     *
     * @return replies per probed IP in arrival order (an IP without replies may be absent)
     */
    Map<InetAddress, List<ProbeReply>> probe(Device via, List<InetAddress> ips, Duration window);
}
