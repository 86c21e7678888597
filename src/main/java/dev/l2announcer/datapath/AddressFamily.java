package dev.l2announcer.datapath;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;

/**
 * IPv4 (answered over ARP, map {@code l2_responder_v4}) or IPv6 (answered over NDP, map {@code l2_responder_v6}).
 * {@link #label()} is the value of the {@code family} label of metrics and of the {@code family} column of views.
 */
public enum AddressFamily {
    IPV4("ipv4", "ARP", "l2_responder_v4"),
    IPV6("ipv6", "NDP", "l2_responder_v6");

    private final String label;
    private final String protocol;
    private final String mapName;

    AddressFamily(String label, String protocol, String mapName) {
        this.label = label;
        this.protocol = protocol;
        this.mapName = mapName;
    }

    public static AddressFamily of(InetAddress ip) {
        if (ip instanceof Inet4Address) {
            return IPV4;
        }
        if (ip instanceof Inet6Address) {
            return IPV6;
        }
        throw new IllegalArgumentException("not an IPv4 or IPv6 address: " + ip);
    }

    /** "ipv4" / "ipv6". */
    public String label() {
        return label;
    }

    /** The neighbour protocol that resolves this family: "ARP" / "NDP". */
    public String protocol() {
        return protocol;
    }

    /** The pinned responder map of this family (kernel object name). */
    public String mapName() {
        return mapName;
    }
}
