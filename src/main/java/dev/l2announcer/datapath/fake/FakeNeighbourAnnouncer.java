package dev.l2announcer.datapath.fake;

import dev.l2announcer.datapath.AddressFamily;
import dev.l2announcer.datapath.Device;
import dev.l2announcer.datapath.NeighbourAnnouncer;
import dev.l2announcer.datapath.ResponderEntry;

import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Records every announcement (gratuitous ARP or unsolicited NA) instead of sending it, and the IPv6 entries the
 * links listen for (solicited-node groups joined).
 */
public final class FakeNeighbourAnnouncer implements NeighbourAnnouncer {
    public record Sent(String interfaceName, int ifindex, InetAddress ip) {}

    private final List<Sent> sent = new ArrayList<>();
    private Set<ResponderEntry> listening = Set.of();
    private RuntimeException failure;
    private RuntimeException listenFailure;

    @Override
    public synchronized void announce(Device device, InetAddress ip) {
        if (failure != null) {
            throw failure;
        }
        sent.add(new Sent(device.name(), device.ifindex(), ip));
    }

    /** As the NDP implementation: keeps the IPv6 entries only (IPv4 needs no group). */
    @Override
    public synchronized void listen(Set<ResponderEntry> entries) {
        if (listenFailure != null) {
            throw listenFailure;
        }
        listening = entries.stream().filter(e -> e.family() == AddressFamily.IPV6).collect(Collectors.toUnmodifiableSet());
    }

    public synchronized List<Sent> sent() {
        return List.copyOf(sent);
    }

    /** The IPv6 entries whose solicited-node groups the last {@link #listen} joined. */
    public synchronized Set<ResponderEntry> listening() {
        return listening;
    }

    public synchronized void clear() {
        sent.clear();
    }

    /** Every announce throws {@code e} until called again with null. */
    public synchronized void failWith(RuntimeException e) {
        failure = e;
    }

    /** Every listen throws {@code e} (e.g. a group join refused) until called again with null. */
    public synchronized void failListenWith(RuntimeException e) {
        listenFailure = e;
    }
}
