package dev.l2announcer.demo;

import dev.l2announcer.datapath.linux.ArpSocket;
import dev.l2announcer.datapath.linux.NdpSocket;
import dev.l2announcer.datapath.linux.PacketSocket;

import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

/**
 * The datapath's {@link ArpSocket} or {@link NdpSocket}, opened inside a test namespace: receives every ARP frame, or
 * every Neighbor Solicitation and Advertisement, on the interface with its kernel (SO_TIMESTAMPNS) receive time, and
 * sends frames. Our own transmissions (PACKET_OUTGOING) are left out.
 */
final class NeighbourTap implements AutoCloseable {
    private final PacketSocket socket;
    private final boolean ndp;
    private final Duration poll;

    private NeighbourTap(PacketSocket socket, boolean ndp, Duration poll) {
        this.socket = socket;
        this.ndp = ndp;
        this.poll = poll;
    }

    static NeighbourTap arp(String netns, String ifname, Duration poll) {
        return new NeighbourTap(Netns.call(netns, () -> new ArpSocket(Libc.ifIndex(ifname))), false, poll);
    }

    static NeighbourTap ndp(String netns, String ifname, Duration poll) {
        return new NeighbourTap(Netns.call(netns, () -> new NdpSocket(Libc.ifIndex(ifname))), true, poll);
    }

    /** Next ARP or NDP frame from the wire, or empty after the poll timeout. */
    Optional<NeighbourPacket> receive() {
        Optional<PacketSocket.Received> r = socket.receive(poll);
        if (r.isEmpty() || r.get().packetType() == PacketSocket.PACKET_OUTGOING) {
            return Optional.empty();
        }
        long ts = r.get().kernelTimestampNanos();
        Instant at = ts != 0 ? Instant.ofEpochSecond(0, ts) : Instant.now();
        return ndp ? r.get().ndp().map(f -> NeighbourPacket.of(at, f)) : r.get().arp().map(f -> NeighbourPacket.of(at, f));
    }

    void send(byte[] frame) {
        socket.send(frame);
    }

    @Override
    public void close() {
        socket.close();
    }
}
