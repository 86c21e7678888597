package dev.l2announcer.datapath;

import java.net.InetAddress;
import java.util.Comparator;
import java.util.Objects;

/**
 * One thing this node must answer for: an IPv4 (ARP) or IPv6 (NDP) address on a named local interface, for the Lease that
 * entitles it to. The one desired-entry type across the announce -> datapath seam: the announce loop plans a set
 * of them, the reconciler makes the kernel map equal to it (resolving the name to an ifindex, a
 * {@link ResponderEntry}) and asks the {@link LeaseFence} about {@code lease} before it lets the entry be
 * answered (liveness refresh, gratuitous ARP / unsolicited NA).
 */
public record LocalAnnouncement(InetAddress ip, String interfaceName, String lease) implements Comparable<LocalAnnouncement> {
    private static final Comparator<LocalAnnouncement> ORDER = Comparator.comparing(LocalAnnouncement::ip, Addresses.ORDER)
            .thenComparing(LocalAnnouncement::interfaceName).thenComparing(LocalAnnouncement::lease);

    public LocalAnnouncement {
        Objects.requireNonNull(ip, "ip");
        Objects.requireNonNull(interfaceName, "interfaceName");
        Objects.requireNonNull(lease, "lease");
        ip = Addresses.unscoped(ip);
    }

    public AddressFamily family() {
        return AddressFamily.of(ip);
    }

    @Override
    public int compareTo(LocalAnnouncement o) {
        return ORDER.compare(this, o);
    }

    @Override
    public String toString() {
        return Addresses.format(ip) + "@" + interfaceName;
    }
}
