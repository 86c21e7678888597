package dev.l2announcer.health;

import dev.l2announcer.datapath.AddressFamily;
import dev.l2announcer.datapath.Device;

import java.net.InetAddress;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Probes the IPv4 addresses over ARP and the IPv6 addresses over NDP, one window per family that has any. */
public final class DualStackProbes implements ProbeTransport {
    private final ProbeTransport arp;
    private final ProbeTransport ndp;

    public DualStackProbes(ProbeTransport arp, ProbeTransport ndp) {
        this.arp = arp;
        this.ndp = ndp;
    }

    /** The production transports: AF_PACKET sockets in the caller's network namespace. */
    public static DualStackProbes packetSockets() {
        return new DualStackProbes(new PacketSocketArpProbes(), new PacketSocketNdpProbes());
    }

    @Override
    public Map<InetAddress, List<ProbeReply>> probe(Device via, List<InetAddress> ips, Duration window) {
        Map<InetAddress, List<ProbeReply>> out = new LinkedHashMap<>();
        for (AddressFamily f : AddressFamily.values()) {
            List<InetAddress> ofFamily = ips.stream().filter(ip -> AddressFamily.of(ip) == f).toList();
            if (!ofFamily.isEmpty()) {
                out.putAll((f == AddressFamily.IPV4 ? arp : ndp).probe(via, ofFamily, window));
            }
        }
        return out;
    }
}
