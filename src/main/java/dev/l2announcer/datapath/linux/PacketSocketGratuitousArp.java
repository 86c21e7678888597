package dev.l2announcer.datapath.linux;

import dev.l2announcer.datapath.ArpFrame;
import dev.l2announcer.datapath.Device;
import dev.l2announcer.datapath.NeighbourAnnouncer;

import java.net.Inet4Address;
import java.net.InetAddress;

/**
 * The ARP side of {@link NeighbourAnnouncer} (its NDP sibling is {@link NdpAnnouncer}): sends both GARP forms
 * (request, then reply) on a send-only AF_PACKET socket (protocol 0, so it never queues received traffic). Works
 * on an interface without an IPv4 address: AF_PACKET does not route. Nothing to listen for: ARP requests are
 * broadcast. Not thread-safe; one socket reused for every interface via sockaddr_ll.
 */
public final class PacketSocketGratuitousArp implements NeighbourAnnouncer, AutoCloseable {
    private final int fd;

    public PacketSocketGratuitousArp() {
        this.fd = PacketSockets.open(0, 0);
    }

    @Override
    public void announce(Device device, InetAddress address) {
        if (!(address instanceof Inet4Address ip)) {
            throw new IllegalArgumentException("gratuitous ARP is for IPv4, not " + address.getHostAddress());
        }
        if (device.mac() == null) {
            throw new IllegalArgumentException(device.name() + " has no MAC address");
        }
        byte[] bcast = ArpFrame.BROADCAST.bytes();
        PacketSockets.sendTo(fd, device.ifindex(), ArpFrame.ETH_P_ARP, ArpFrame.gratuitousRequest(device.mac(), ip).encode(), bcast);
        PacketSockets.sendTo(fd, device.ifindex(), ArpFrame.ETH_P_ARP, ArpFrame.gratuitousReply(device.mac(), ip).encode(), bcast);
    }

    @Override
    public void close() {
        Libc.close(fd);
    }
}
