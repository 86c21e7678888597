package dev.l2announcer.datapath;

import java.net.InetAddress;
import java.util.Set;
import java.util.stream.Collectors;

/** Hands each address to its family's {@link NeighbourAnnouncer}: ARP for IPv4, NDP for IPv6. */
public final class DualStackAnnouncer implements NeighbourAnnouncer {
    private final NeighbourAnnouncer arp;
    private final NeighbourAnnouncer ndp;

    public DualStackAnnouncer(NeighbourAnnouncer arp, NeighbourAnnouncer ndp) {
        this.arp = arp;
        this.ndp = ndp;
    }

    private NeighbourAnnouncer of(AddressFamily family) {
        return family == AddressFamily.IPV4 ? arp : ndp;
    }

    @Override
    public void announce(Device device, InetAddress ip) {
        of(AddressFamily.of(ip)).announce(device, ip);
    }

    /** Each family gets only its own entries; both are asked even when the first fails. */
    @Override
    public void listen(Set<ResponderEntry> entries) {
        RuntimeException first = null;
        for (AddressFamily f : AddressFamily.values()) {
            try {
                of(f).listen(entries.stream().filter(e -> e.family() == f).collect(Collectors.toUnmodifiableSet()));
            } catch (RuntimeException e) {
                if (first == null) {
                    first = e;
                } else {
                    first.addSuppressed(e);
                }
            }
        }
        if (first != null) {
            throw first;
        }
    }
}
