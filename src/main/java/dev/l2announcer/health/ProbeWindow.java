package dev.l2announcer.health;

import dev.l2announcer.datapath.MacAddress;
import dev.l2announcer.datapath.linux.PacketSocket;

import java.net.InetAddress;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;

/**
 * What both probe transports share: remembering when each probe left, and listening for the window.
 *
 * <p>RTT: the kernel receive timestamp (SO_TIMESTAMPNS, CLOCK_REALTIME) minus the wall time taken just before the
 * send, so replies that queue while we process others are not inflated; the user-space monotonic difference when
 * the kernel stamp is missing or implausible (clock step). Not thread-safe: one per probe call.
 */
final class ProbeWindow {
    /** Who answered for which probed IP, as a transport reads it from one frame. */
    record Answer(InetAddress ip, MacAddress responder) {}

    private final Map<InetAddress, long[]> sentAt = new HashMap<>(); // {nanoTime, wall epoch ns}

    /** Call right before sending the probe for {@code ip}. */
    void sending(InetAddress ip) {
        long mono = System.nanoTime();
        Instant w = Instant.now();
        sentAt.putIfAbsent(ip, new long[] {mono, w.getEpochSecond() * 1_000_000_000L + w.getNano()});
    }

    /**
     * Receives for {@code window}; every frame that is not our own and that {@code match} reads as an answer for a
     * probed IP becomes a reply of that IP, in arrival order.
     */
    Map<InetAddress, List<ProbeReply>> collect(PacketSocket socket, Duration window,
                                               Function<PacketSocket.Received, Optional<Answer>> match) {
        Map<InetAddress, List<ProbeReply>> out = new LinkedHashMap<>();
        long deadline = System.nanoTime() + window.toNanos();
        // Bounded by the window; the count guard only stops a flood from spinning forever.
        for (int frames = 0; frames < 100_000; frames++) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                break;
            }
            Optional<PacketSocket.Received> r = socket.receive(Duration.ofNanos(Math.max(left, 1_000_000)));
            if (r.isEmpty() || r.get().packetType() == PacketSocket.PACKET_OUTGOING) {
                continue;
            }
            PacketSocket.Received rx = r.get();
            Optional<Answer> a = match.apply(rx);
            long[] sent = a.map(x -> sentAt.get(x.ip())).orElse(null);
            if (sent == null) {
                continue;
            }
            long userRtt = rx.receivedNanoTime() - sent[0];
            long kernelRtt = rx.kernelTimestampNanos() == 0 ? -1 : rx.kernelTimestampNanos() - sent[1];
            long rtt = kernelRtt > 0 && kernelRtt <= userRtt ? kernelRtt : userRtt;
            out.computeIfAbsent(a.get().ip(), k -> new ArrayList<>()).add(new ProbeReply(a.get().responder(), Duration.ofNanos(rtt)));
        }
        return out;
    }
}
