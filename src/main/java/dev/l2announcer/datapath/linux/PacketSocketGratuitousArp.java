package dev.l2announcer.datapath.linux;

import dev.l2announcer.datapath.ArpFrame;
import dev.l2announcer.datapath.Device;
import dev.l2announcer.datapath.GratuitousArp;

import java.net.Inet4Address;

/**
 * Sends both GARP forms (request, then reply) on a send-only AF_PACKET socket (protocol 0, so it
 * never queues received traffic). Works on an interface without an IPv4 address: AF_PACKET does
 * not route. Not thread-safe; one socket reused for every interface via sockaddr_ll.
 */
public final class PacketSocketGratuitousArp implements GratuitousArp, AutoCloseable {
    private final int fd;

    public PacketSocketGratuitousArp() {
        this.fd = PacketSockets.open(0, 0);
    }

    @Override
    public void announce(Device device, Inet4Address ip) {
        if (device.mac() == null) {
            throw new IllegalArgumentException(device.name() + " has no MAC address");
        }
        byte[] bcast = ArpFrame.BROADCAST.bytes();
        PacketSockets.sendTo(fd, device.ifindex(), ArpFrame.gratuitousRequest(device.mac(), ip).encode(), bcast);
        PacketSockets.sendTo(fd, device.ifindex(), ArpFrame.gratuitousReply(device.mac(), ip).encode(), bcast);
    }

    @Override
    public void close() {
        Libc.close(fd);
    }
}
