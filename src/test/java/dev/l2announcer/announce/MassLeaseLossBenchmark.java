package dev.l2announcer.announce;

import static dev.l2announcer.announce.Groups.addr;
import static dev.l2announcer.announce.Groups.group;
import static org.awaitility.Awaitility.await;

import dev.l2announcer.agent.LinuxNodeDatapath;
import dev.l2announcer.announce.MassLeaseLossTest.ScriptedElection;
import dev.l2announcer.config.AgentConfig;
import dev.l2announcer.datapath.linux.BpfLoader;
import dev.l2announcer.datapath.linux.LinuxDatapath;
import dev.l2announcer.datapath.linux.NetNs;
import dev.l2announcer.demo.HostCommand;
import dev.l2announcer.demo.Netns;
import dev.l2announcer.observability.AnnouncerMetrics;
import dev.l2announcer.selection.AnnouncementGroup;
import dev.l2announcer.selection.SelectionSnapshot;
import dev.l2announcer.selection.InMemorySelectionSource;
import dev.l2announcer.time.TaskScheduler;
import dev.l2announcer.time.Ticker;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.TreeMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Issue 13's figure: 1,000 leases lost at once (an API blackhole on a holder: every renew deadline passes together)
 * are withdrawn from the real pinned maps within 100 ms. The real announce loop, the real reconciler on its own thread
 * in a test namespace, the real {@code l2_responder_v4}/{@code _v6} maps and XDP program on a veth; the election is
 * scripted (one burst of {@code Lost} events from one thread, as the engine emits them). Measured from the burst's
 * first event to the moment a map listing (polled every 0.5 ms from another thread) is empty: that is when the kernel
 * stops answering those IPs. 762 IPv4 documentation addresses and 238 in 2001:db8::/32, one Service each.
 *
 * <p>Run (root): {@code ./mvnw -B test -Pbench -Dtest=MassLeaseLossBenchmark}; {@code -Dmassloss.trials=N} (10).
 */
@Tag("benchmark")
class MassLeaseLossBenchmark {
    static final int LEASES = 1000;
    static final int TRIALS = Integer.getInteger("massloss.trials", 10);

    static List<String> addresses() {
        List<String> out = new ArrayList<>(MassLeaseLossTest.documentationAddresses());
        for (int i = 1; out.size() < LEASES; i++) {
            out.add("2001:db8::" + Integer.toHexString(i));
        }
        return out;
    }

    @Test
    void figures() throws Exception {
        boolean root = HostCommand.isRoot();
        if (!root) {
            System.out.println("SKIP MassLeaseLossBenchmark: needs root (BPF, network namespaces)");
        }
        Assumptions.assumeTrue(root, "needs root");
        Assumptions.assumeTrue(getClass().getResource(BpfLoader.RESOURCE) != null, "BPF object not built");
        long pid = ProcessHandle.current().pid();
        Path pinDir = Path.of("/sys/fs/bpf/l2a-massloss-" + pid);
        try (Netns node = Netns.create("l2a-ml-n-" + pid); Netns peer = Netns.create("l2a-ml-p-" + pid)) {
            node.ip("link", "set", "lo", "up");
            node.veth("eth0", peer, "eth0p");
            ScheduledExecutorService reconcilerThread = Executors.newSingleThreadScheduledExecutor(
                    NetNs.platformThreadsIn(Path.of("/run/netns", node.name()), "l2a-ml-datapath"));
            AgentConfig d = AgentConfig.defaults("n1");
            AgentConfig config = new AgentConfig(true, d.leaseDuration(), d.renewDeadline(), d.retryPeriod(), d.k8sClientQps(),
                    d.k8sClientBurst(), List.of(), false, "", "", true, "false", "n1", "kube-system", pinDir, 1,
                    Duration.ofMillis(200), d.healthProbeInterval(), d.debugPort(), d.heartbeatInterval());
            LinuxDatapath linux = node.run(() -> LinuxDatapath.open(config));
            LinuxNodeDatapath datapath = new LinuxNodeDatapath(linux, TaskScheduler.of(reconcilerThread));
            ScriptedElection election = new ScriptedElection();
            InMemorySelectionSource selection = new InMemorySelectionSource();
            AnnouncerMetrics metrics = new AnnouncerMetrics(new SimpleMeterRegistry(), datapath.responderMap(), () -> 0, () -> 0);
            AnnouncementLoop loop = new AnnouncementLoop("n1", selection, election, datapath.sink(metrics, election::mayAnnounce),
                    AnnouncementObserver.NONE, Clock.systemUTC(), Ticker.system(), Duration.ZERO);
            try {
                loop.start();
                TreeMap<String, AnnouncementGroup> groups = new TreeMap<>();
                List<String> ips = addresses();
                for (int i = 0; i < ips.size(); i++) {
                    AnnouncementGroup g = group(String.format("svc-%04d", i), true, List.of("n1", "n2"), addr(ips.get(i), "eth0"));
                    groups.put(g.leaseName(), g);
                }
                selection.set(new SelectionSnapshot(1, groups));
                await().atMost(Duration.ofSeconds(30)).until(() -> election.campaigned.size() == LEASES);
                long[] withdrawNanos = new long[TRIALS];
                long[] installNanos = new long[TRIALS];
                for (int t = 0; t < TRIALS; t++) {
                    long a0 = System.nanoTime();
                    election.acquireAll();
                    installNanos[t] = untilMapSize(datapath, LEASES) - a0;
                    long l0 = System.nanoTime();
                    election.loseAll();
                    withdrawNanos[t] = untilMapSize(datapath, 0) - l0;
                    // Let the loop's GARP repeats and the unsolicited NAs of the last round settle before the next.
                    await().atMost(Duration.ofSeconds(10)).until(() -> loop.table().size() == 0);
                    System.out.printf("FIGURE mass lease loss trial %d: %d leases withdrawn from the real maps in %.1f ms "
                            + "(installed in %.1f ms)%n", t + 1, LEASES, withdrawNanos[t] / 1e6, installNanos[t] / 1e6);
                }
                System.out.printf("FIGURE mass lease loss: %d leases (762 IPv4 + 238 IPv6) lost at once -> real maps empty: "
                                + "median %.1f ms, min %.1f ms, max %.1f ms over %d trials (target <= 100 ms); acquire all -> "
                                + "installed: median %.1f ms%n", LEASES, median(withdrawNanos) / 1e6,
                        Arrays.stream(withdrawNanos).min().orElseThrow() / 1e6, Arrays.stream(withdrawNanos).max().orElseThrow() / 1e6,
                        TRIALS, median(installNanos) / 1e6);
            } finally {
                loop.shutdown(Duration.ofSeconds(5));
                datapath.close();
                reconcilerThread.shutdownNow();
                HostCommand.result("rm", "-rf", pinDir.toString()); // unpins the maps and the program
            }
        }
    }

    /** Polls the real maps (both families) until they hold {@code n} entries; the instant it first saw that. */
    static long untilMapSize(LinuxNodeDatapath datapath, int n) {
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (System.nanoTime() < deadline) {
            if (datapath.responderMap().list().size() == n) {
                return System.nanoTime();
            }
            java.util.concurrent.locks.LockSupport.parkNanos(500_000);
        }
        throw new AssertionError("the maps did not reach " + n + " entries within 20 s: " + datapath.responderMap().list().size());
    }

    static long median(long[] xs) {
        long[] c = xs.clone();
        Arrays.sort(c);
        return c[c.length / 2];
    }
}
