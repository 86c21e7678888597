package dev.l2announcer.health;

import dev.l2announcer.datapath.ArpFrame;
import dev.l2announcer.datapath.Device;
import dev.l2announcer.datapath.linux.ArpSocket;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * ARP probes on the datapath's AF_PACKET {@link ArpSocket}. Each probe is an RFC 5227 ARP probe:
 * sender IP 0.0.0.0, so no receiver learns or refreshes a neighbour entry from it (the probing node
 * may not even have an address on the segment); our responder and Linux both answer such probes,
 * unicast to the prober's MAC with target IP 0.0.0.0. A reply counts for an IP when it is an ARP
 * reply with that sender IP addressed to our interface's MAC (other nodes' probes may be flooded to
 * us by a bridge that has not learnt their MAC yet).
 *
 * <p>RTT: the kernel receive timestamp (SO_TIMESTAMPNS, CLOCK_REALTIME) minus the wall time taken
 * just before the send, so replies that queue while we process others are not inflated; falls back
 * to user-space monotonic time when the kernel stamp is missing or implausible (clock step).
 * Blocking (poll): call from a platform thread; the socket lives in the caller's network namespace.
 */
public final class PacketSocketArpProbes implements ArpProbeTransport {
    private static final Inet4Address UNSPECIFIED;

    static {
        try {
            UNSPECIFIED = (Inet4Address) InetAddress.getByAddress(new byte[4]);
        } catch (UnknownHostException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    @Override
    public Map<Inet4Address, List<ArpReply>> probe(Device via, List<Inet4Address> ips, Duration window) {
        Map<Inet4Address, List<ArpReply>> out = new LinkedHashMap<>();
        if (ips.isEmpty()) {
            return out;
        }
        Map<Inet4Address, long[]> sentAt = new HashMap<>(); // {nanoTime, wall epoch ns}
        try (ArpSocket socket = new ArpSocket(via.ifindex())) {
            for (Inet4Address ip : ips) {
                long mono = System.nanoTime();
                java.time.Instant w = java.time.Instant.now();
                socket.send(ArpFrame.request(via.mac(), UNSPECIFIED, ip));
                sentAt.putIfAbsent(ip, new long[] {mono, w.getEpochSecond() * 1_000_000_000L + w.getNano()});
            }
            long deadline = System.nanoTime() + window.toNanos();
            // Bounded by the window; the count guard only stops a flood from spinning forever.
            for (int frames = 0; frames < 100_000; frames++) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    break;
                }
                Optional<ArpSocket.Received> r = socket.receive(Duration.ofNanos(Math.max(left, 1_000_000)));
                if (r.isEmpty()) {
                    continue;
                }
                ArpSocket.Received rx = r.get();
                if (rx.packetType() == ArpSocket.PACKET_OUTGOING) {
                    continue;
                }
                Optional<ArpFrame> f = rx.arp();
                if (f.isEmpty() || f.get().op() != ArpFrame.OP_REPLY || !f.get().targetMac().equals(via.mac())) {
                    continue;
                }
                long[] sent = sentAt.get(f.get().senderIp());
                if (sent == null) {
                    continue;
                }
                long userRtt = rx.receivedNanoTime() - sent[0];
                long kernelRtt = rx.kernelTimestampNanos() == 0 ? -1 : rx.kernelTimestampNanos() - sent[1];
                long rtt = kernelRtt > 0 && kernelRtt <= userRtt ? kernelRtt : userRtt;
                out.computeIfAbsent(f.get().senderIp(), k -> new ArrayList<>())
                        .add(new ArpReply(f.get().senderMac(), Duration.ofNanos(rtt)));
            }
        }
        return out;
    }
}
