package dev.l2announcer.datapath.linux;

import dev.l2announcer.demo.HostCommand;
import dev.l2announcer.datapath.Device;
import dev.l2announcer.datapath.ResponderEntry;
import dev.l2announcer.datapath.ResponderReconciler;
import dev.l2announcer.datapath.LocalAnnouncement;
import dev.l2announcer.time.Ticker;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.HashSet;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** Figures for the report: ./mvnw test -Pbench -Dtest=DatapathBenchmark */
@Tag("benchmark")
class DatapathBenchmark {

    static Inet4Address ip(int i) {
        try {
            // 198.51.100.0/24 and 203.0.113.0/24 and 192.0.2.0/24 give 768 documentation addresses; keys
            // also vary by ifindex, so 4,000 distinct keys use 6 ifindexes (no packets are sent for them).
            int block = i % 3;
            int host = (i / 3) % 256;
            byte[][] nets = {{(byte) 192, 0, 2}, {(byte) 198, 51, 100}, {(byte) 203, 0, 113}};
            return (Inet4Address) InetAddress.getByAddress(new byte[]{nets[block][0], nets[block][1], nets[block][2], (byte) host});
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    static Set<ResponderEntry> entries(int n, int salt) {
        Set<ResponderEntry> s = new HashSet<>();
        for (int i = 0; s.size() < n; i++) {
            s.add(new ResponderEntry(ip(i), 1000 + salt + i / 768));
        }
        return s;
    }

    static long median(long[] xs) {
        long[] c = xs.clone();
        Arrays.sort(c);
        return c[c.length / 2];
    }

    static long pct(long[] xs, double p) {
        long[] c = xs.clone();
        Arrays.sort(c);
        return c[Math.min(c.length - 1, (int) Math.ceil(p * c.length) - 1)];
    }

    @Test
    void figures() {
        Assumptions.assumeTrue(HostCommand.isRoot(), "needs root");
        try (NodeTopology topo = new NodeTopology("bm")) {
            BpfDatapath dp = topo.nodeNs.run(() -> BpfDatapath.open(topo.pinDir, Duration.ofSeconds(15)));
            try {
                mapSync(dp);
                garpLatency(topo);
                desiredToWire(topo, dp);
            } finally {
                topo.nodeNs.exec(() -> {
                    dp.destroyPins();
                    dp.close();
                });
            }
        }
    }

    void mapSync(BpfDatapath dp) {
        Set<ResponderEntry> full = entries(4000, 0);
        Set<ResponderEntry> shifted = new HashSet<>(full);
        shifted.removeAll(entries(100, 0));
        shifted.addAll(entries(100, 50));
        int warmup = 5, runs = 15;
        long[] fill = new long[runs], change = new long[runs], noop = new long[runs], clear = new long[runs];
        for (int w = 0; w < warmup; w++) {
            dp.responderMap().sync(full);
            dp.responderMap().sync(shifted);
            dp.responderMap().sync(Set.of());
        }
        for (int r = 0; r < runs; r++) {
            long t0 = System.nanoTime();
            dp.responderMap().sync(full);
            long t1 = System.nanoTime();
            dp.responderMap().sync(full);
            long t2 = System.nanoTime();
            dp.responderMap().sync(shifted);
            long t3 = System.nanoTime();
            dp.responderMap().sync(Set.of());
            long t4 = System.nanoTime();
            fill[r] = t1 - t0;
            noop[r] = t2 - t1;
            change[r] = t3 - t2;
            clear[r] = t4 - t3;
        }
        assertThat(dp.responderMap().list()).isEmpty();
        System.out.printf("FIGURE map sync empty->4000 entries: median %.1f ms, min %.1f ms (runs: %s)%n", median(fill) / 1e6,
                pct(fill, 0.0001) / 1e6, ms(fill));
        System.out.printf("FIGURE map sync 4000->4000 unchanged (list only): median %.1f ms, min %.1f ms%n", median(noop) / 1e6,
                pct(noop, 0.0001) / 1e6);
        System.out.printf("FIGURE map sync 4000 with 100 replaced: median %.1f ms, min %.1f ms%n", median(change) / 1e6,
                pct(change, 0.0001) / 1e6);
        System.out.printf("FIGURE map sync 4000->0: median %.1f ms, min %.1f ms%n", median(clear) / 1e6, pct(clear, 0.0001) / 1e6);
    }

    static String ms(long[] xs) {
        StringBuilder b = new StringBuilder();
        for (long x : xs) {
            b.append(String.format("%.1f ", x / 1e6));
        }
        return b.toString().trim();
    }

    void garpLatency(NodeTopology topo) {
        Device n = topo.nodeDevice();
        long[] lat = topo.nodeNs.run(() -> {
            try (PacketSocketGratuitousArp g = new PacketSocketGratuitousArp()) {
                Inet4Address vip = ip(100);
                for (int i = 0; i < 200; i++) {
                    g.announce(n, vip); // warm-up
                }
                long[] xs = new long[1000];
                for (int i = 0; i < xs.length; i++) {
                    long t0 = System.nanoTime();
                    g.announce(n, vip);
                    xs[i] = System.nanoTime() - t0;
                }
                return xs;
            }
        });
        System.out.printf("FIGURE GARP announce (request+reply, 2 sendto) on veth: median %.1f us, p99 %.1f us (n=1000)%n",
                median(lat) / 1e3, pct(lat, 0.99) / 1e3);
    }

    void desiredToWire(NodeTopology topo, BpfDatapath dp) {
        PacketSocketGratuitousArp garp = topo.nodeNs.run(PacketSocketGratuitousArp::new);
        ResponderReconciler r = topo.nodeNs.run(() -> new ResponderReconciler(dp.responderMap(), dp, new NetlinkDevices(), garp,
                topo.nodeScheduler(), Ticker.system(), 1, Duration.ofSeconds(1), Duration.ofSeconds(5), (lease, now) -> true,
                new ResponderReconciler.Listener() {
                }));
        try {
            r.start();
            NodeTopology.Capture cap = topo.capture();
            int n = 20;
            long[] delays = new long[n];
            Set<LocalAnnouncement> desired = new HashSet<>();
            for (int i = 0; i < n; i++) {
                Inet4Address vip = ip(3 * (100 + i)); // 192.0.2.100..119
                desired.add(new LocalAnnouncement(vip, topo.nodeIf, "cilium-l2announce-default-test"));
                Instant changed = Instant.now();
                r.desire(Set.copyOf(desired));
                await().atMost(Duration.ofSeconds(5)).until(() -> !cap.gratuitousFor(vip).isEmpty());
                long wire = cap.gratuitousFor(vip).getFirst().kernelTimestampNanos();
                assertThat(wire).as("kernel timestamp present").isPositive();
                delays[i] = wire - (changed.getEpochSecond() * 1_000_000_000L + changed.getNano());
            }
            System.out.printf("FIGURE desired set changed -> first GARP received in client netns (kernel timestamp): median %.0f us, "
                    + "max %.0f us (n=%d, map of %d..%d entries)%n", median(delays) / 1e3, pct(delays, 1.0) / 1e3, n, 1, n);
        } finally {
            r.close();
            garp.close();
        }
    }
}
