package dev.l2announcer.datapath.linux;

import dev.l2announcer.datapath.Device;
import dev.l2announcer.datapath.NdpFrame;
import dev.l2announcer.datapath.NeighbourAnnouncer;
import dev.l2announcer.datapath.ResponderEntry;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.util.Set;

/**
 * The NDP side of {@link NeighbourAnnouncer} (its ARP sibling is {@link PacketSocketGratuitousArp}; MetalLB's
 * {@code internal/layer2/ndp.go} is the model): unsolicited Neighbor Advertisements (to ff02::1, O=1, target
 * link-layer address = our MAC, RFC 4861 7.2.6) on a send-only AF_PACKET socket, which needs no IPv6 address on the
 * interface, and the solicited-node group memberships ({@link SolicitedNodeGroups}, MLD) that make the link
 * deliver the solicitations. Not thread-safe: the reconciler's thread uses it.
 */
public final class NdpAnnouncer implements NeighbourAnnouncer, AutoCloseable {
    private final int fd;
    private final SolicitedNodeGroups groups = new SolicitedNodeGroups();

    public NdpAnnouncer() {
        this.fd = PacketSockets.open(0, 0);
    }

    @Override
    public void announce(Device device, InetAddress address) {
        if (!(address instanceof Inet6Address ip)) {
            throw new IllegalArgumentException("a neighbor advertisement is for IPv6, not " + address.getHostAddress());
        }
        if (device.mac() == null) {
            throw new IllegalArgumentException(device.name() + " has no MAC address");
        }
        NdpFrame na = NdpFrame.unsolicitedAdvertisement(device.mac(), ip);
        PacketSockets.sendTo(fd, device.ifindex(), NdpFrame.ETH_P_IPV6, na.encode(), na.ethDst().bytes());
    }

    @Override
    public void listen(Set<ResponderEntry> entries) {
        groups.sync(entries);
    }

    /** "ifindex/group" of every membership the last {@link #listen} left, sorted; any thread. */
    public Set<String> joinedGroups() {
        return groups.joined();
    }

    /** Leaves every group (closing the membership sockets) and closes the sender. */
    @Override
    public void close() {
        try {
            groups.close();
        } finally {
            Libc.close(fd);
        }
    }
}
