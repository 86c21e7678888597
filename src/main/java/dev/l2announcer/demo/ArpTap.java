package dev.l2announcer.demo;

import dev.l2announcer.datapath.ArpFrame;
import dev.l2announcer.datapath.linux.ArpSocket;

import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

/**
 * The datapath's {@link ArpSocket}, opened inside a test namespace: receives every ARP frame on the
 * interface with its kernel (SO_TIMESTAMPNS) receive time, and sends frames. Our own transmissions
 * (PACKET_OUTGOING) are left out.
 */
final class ArpTap implements AutoCloseable {
    private final ArpSocket socket;
    private final Duration poll;

    private ArpTap(ArpSocket socket, Duration poll) {
        this.socket = socket;
        this.poll = poll;
    }

    static ArpTap open(String netns, String ifname, Duration poll) {
        return new ArpTap(Netns.call(netns, () -> new ArpSocket(Libc.ifIndex(ifname))), poll);
    }

    /** Next ARP frame from the wire, or empty after the poll timeout. */
    Optional<ArpPacket> receive() {
        Optional<ArpSocket.Received> r = socket.receive(poll);
        if (r.isEmpty() || r.get().packetType() == ArpSocket.PACKET_OUTGOING) {
            return Optional.empty();
        }
        long ts = r.get().kernelTimestampNanos();
        Instant at = ts != 0 ? Instant.ofEpochSecond(0, ts) : Instant.now();
        return r.get().arp().map(f -> new ArpPacket(at, f));
    }

    void send(ArpFrame frame) {
        socket.send(frame);
    }

    @Override
    public void close() {
        socket.close();
    }
}
