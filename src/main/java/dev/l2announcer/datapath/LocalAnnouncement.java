package dev.l2announcer.datapath;

import java.net.Inet4Address;
import java.util.Comparator;
import java.util.Objects;

/**
 * One thing this node must answer ARP for: an IPv4 address on a named local interface. The one desired-entry
 * type across the announce -> datapath seam: the announce loop plans a set of them, the reconciler makes the
 * kernel map equal to it (resolving the name to an ifindex, a {@link ResponderEntry}).
 */
public record LocalAnnouncement(Inet4Address ip, String interfaceName) implements Comparable<LocalAnnouncement> {
    private static final Comparator<LocalAnnouncement> ORDER =
            Comparator.comparing(LocalAnnouncement::ip, Addresses.ORDER).thenComparing(LocalAnnouncement::interfaceName);

    public LocalAnnouncement {
        Objects.requireNonNull(ip, "ip");
        Objects.requireNonNull(interfaceName, "interfaceName");
    }

    @Override
    public int compareTo(LocalAnnouncement o) {
        return ORDER.compare(this, o);
    }

    @Override
    public String toString() {
        return ip.getHostAddress() + "@" + interfaceName;
    }
}
