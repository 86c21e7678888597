package dev.l2announcer.datapath.linux;

import dev.l2announcer.datapath.ArpFrame;
import dev.l2announcer.datapath.MacAddress;

import java.time.Duration;
import java.util.Optional;

/**
 * AF_PACKET socket bound to one interface for ETH_P_ARP: sends frames and receives ARP frames with
 * kernel receive timestamps (see {@link PacketSocket}). Opened in the calling thread's network namespace.
 */
public final class ArpSocket extends PacketSocket {
    public ArpSocket(int ifindex) {
        super(ArpFrame.ETH_P_ARP, ifindex, null);
    }

    public void send(ArpFrame frame) {
        send(frame.encode());
    }

    /** Sends a request for {@code target} and waits for the first matching reply, bounded by {@code timeout}. */
    public Optional<ArpFrame> resolve(MacAddress ownMac, java.net.Inet4Address ownIp, java.net.Inet4Address target,
                                      Duration timeout) {
        send(ArpFrame.request(ownMac, ownIp, target));
        long deadline = System.nanoTime() + timeout.toNanos();
        for (long left = timeout.toNanos(); left > 0; left = deadline - System.nanoTime()) {
            Optional<Received> r = receive(Duration.ofNanos(left));
            if (r.isEmpty()) {
                return Optional.empty();
            }
            Optional<ArpFrame> f = r.get().arp();
            if (r.get().packetType() != PACKET_OUTGOING && f.isPresent() && f.get().op() == ArpFrame.OP_REPLY
                    && f.get().senderIp().equals(target)) {
                return f;
            }
        }
        return Optional.empty();
    }
}
