package dev.l2announcer.health;

import dev.l2announcer.datapath.Device;

import java.net.Inet4Address;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/** Sends ARP probes out of one local interface and collects every reply within a window. */
@FunctionalInterface
public interface ArpProbeTransport {
    /**
     * Probes all {@code ips} at once on {@code via} and listens for {@code window}.
     *
     * @return replies per probed IP in arrival order (an IP without replies may be absent)
     */
    Map<Inet4Address, List<ArpReply>> probe(Device via, List<Inet4Address> ips, Duration window);
}
