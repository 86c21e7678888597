package dev.l2announcer.election;

import static org.awaitility.Awaitility.await;

import dev.l2announcer.config.LeaseTimings;
import dev.l2announcer.election.ElectionHarness.Agent;
import dev.l2announcer.time.Ticker;
import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.fabric8.kubernetes.api.model.coordination.v1.LeaseBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.Watcher;
import io.fabric8.kubernetes.client.WatcherException;
import io.fabric8.kubernetes.client.extended.leaderelection.LeaderCallbacks;
import io.fabric8.kubernetes.client.extended.leaderelection.LeaderElectionConfigBuilder;
import io.fabric8.kubernetes.client.extended.leaderelection.resourcelock.LeaseLock;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Engine vs one fabric8 LeaderElector per (service, node), on the same fabric8 mock server.
 * Run: ./mvnw test -Pbench -Dtest=LeaseElectionBenchmark. Prints a table; asserts nothing.
 */
@Tag("benchmark")
class LeaseElectionBenchmark {
    static final LeaseTimings CILIUM = new LeaseTimings(Duration.ofSeconds(15), Duration.ofSeconds(5), Duration.ofSeconds(2));
    static final LeaseTimings FAST = new LeaseTimings(Duration.ofSeconds(3), Duration.ofSeconds(1), Duration.ofMillis(200));
    /** Cilium's defaults with the fast path on (node heartbeats every 200 ms): the shipped configuration. */
    static final LeaseTimings CILIUM_HEARTBEATS = new LeaseTimings(Duration.ofSeconds(15), Duration.ofSeconds(5), Duration.ofSeconds(2),
            LeaseTimings.DEFAULT_HEARTBEAT_INTERVAL);
    static final Logger QUIET = Logger.getLogger("io.fabric8.mockwebserver");
    static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

    final List<String> rows = new ArrayList<>();

    static String t(LeaseTimings t) {
        return t.leaseDuration().toSeconds() + "s/" + t.renewDeadline().toMillis() + "ms/" + t.retryPeriod().toMillis() + "ms"
                + (t.fastFailover() ? " +heartbeat " + t.heartbeatInterval().toMillis() + "ms" : " (fast path off)");
    }

    /** The API budget: S / retryPeriod renewals plus one heartbeat write per node per interval. */
    static double writeBound(int services, int nodes, LeaseTimings t) {
        double bound = services / (t.retryPeriod().toNanos() / 1e9);
        if (t.fastFailover()) bound += nodes / (t.heartbeatInterval().toNanos() / 1e9);
        return bound;
    }

    static double model(int s, int n, LeaseTimings t) {
        double rp = t.retryPeriod().toNanos() / 1e9;
        return s * (2 / rp + (n - 1) / (1.6 * rp));
    }

    void row(String fmt, Object... args) {
        String r = String.format(fmt, args);
        rows.add(r);
        System.out.println("BENCH " + r);
    }

    /** A mock server whose MockWebServer request queue is drained and whose event-loop CPU is measured. */
    static final class Server implements AutoCloseable {
        final ElectionHarness h = new ElectionHarness();
        final Set<Long> serverThreads = new TreeSet<>();
        final Thread drain;
        volatile boolean running = true;

        Server() {
            for (Thread t : Thread.getAllStackTraces().keySet()) {
                if (t.getName().startsWith("vert.x-eventloop")) serverThreads.add(t.threadId());
            }
            drain = new Thread(() -> {
                while (running) {
                    try {
                        while (h.server.takeRequest(5, TimeUnit.MILLISECONDS) != null) {
                            // drop: MockWebServer keeps every request otherwise
                        }
                    } catch (InterruptedException e) {
                        return;
                    }
                }
            }, "bench-drain");
            drain.setDaemon(true);
            drain.start();
        }

        long serverCpuNanos() {
            long sum = 0;
            for (long id : serverThreads) sum += Math.max(0, THREADS.getThreadCpuTime(id));
            return sum;
        }

        @Override
        public void close() {
            running = false;
            drain.interrupt();
            h.close();
        }
    }

    record Window(double seconds, Map<String, Long> byVerb, double serverCpu, double processCpu, long[] perAgent) {
        double total() {
            return byVerb.entrySet().stream().filter(e -> !e.getKey().equals("watch") && !e.getKey().equals("list"))
                    .mapToLong(Map.Entry::getValue).sum() / seconds;
        }

        String verbs() {
            StringBuilder b = new StringBuilder();
            byVerb.forEach((k, v) -> {
                if (v > 0) b.append(k).append('=').append(String.format("%.1f", v / seconds)).append(' ');
            });
            return b.toString().trim();
        }
    }

    static long processCpu() {
        return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean()).getProcessCpuTime();
    }

    static long engineRequests(Agent a) {
        return a.registry.find(ElectionMetrics.API_REQUESTS).counters().stream().mapToLong(c -> (long) c.count()).sum();
    }

    static Window measure(Server s, List<Agent> agents, Duration w) throws InterruptedException {
        Map<String, Long> before = s.h.dispatcher.snapshot();
        long[] agentBefore = agents.stream().mapToLong(LeaseElectionBenchmark::engineRequests).toArray();
        long cpu0 = s.serverCpuNanos();
        long p0 = processCpu();
        long t0 = System.nanoTime();
        Thread.sleep(w.toMillis());
        double secs = (System.nanoTime() - t0) / 1e9;
        Map<String, Long> after = s.h.dispatcher.snapshot();
        Map<String, Long> delta = new TreeMap<>();
        after.forEach((k, v) -> delta.put(k, v - before.getOrDefault(k, 0L)));
        long[] per = new long[agents.size()];
        for (int i = 0; i < per.length; i++) per[i] = engineRequests(agents.get(i)) - agentBefore[i];
        return new Window(secs, delta, (s.serverCpuNanos() - cpu0) / 1e9 / secs, (processCpu() - p0) / 1e9 / secs, per);
    }

    static String stats(List<Double> xs) {
        if (xs.isEmpty()) return "n=0";
        List<Double> s = new ArrayList<>(xs);
        Collections.sort(s);
        return String.format("n=%d min %.3f / median %.3f / max %.3f s", s.size(), s.getFirst(), s.get(s.size() / 2), s.getLast());
    }

    /** Records, from an admin watch, when each lease's holder changed. */
    static final class HolderLog implements Watcher<Lease>, AutoCloseable {
        final Map<String, List<Object[]>> changes = new ConcurrentHashMap<>();
        final io.fabric8.kubernetes.client.Watch watch;

        HolderLog(KubernetesClient admin) {
            watch = admin.leases().inNamespace(ElectionHarness.NS).watch(this);
        }

        @Override
        public void eventReceived(Action action, Lease lease) {
            changes.computeIfAbsent(lease.getMetadata().getName(), k -> Collections.synchronizedList(new ArrayList<>()))
                    .add(new Object[] {System.nanoTime(), ElectionHarness.holder(lease)});
        }

        @Override
        public void onClose(WatcherException cause) {}

        /** Seconds from {@code since} to the first event showing a holder other than {@code old} (and not empty). */
        Double takeover(String lease, String old, long since) {
            List<Object[]> l = changes.getOrDefault(lease, List.of());
            synchronized (l) {
                for (Object[] e : l) {
                    if ((long) e[0] >= since && !old.equals(e[1]) && !"".equals(e[1])) return ((long) e[0] - since) / 1e9;
                }
            }
            return null;
        }

        @Override
        public void close() {
            watch.close();
        }
    }

    @Test
    void benchmark() throws Exception {
        QUIET.setLevel(Level.WARNING);
        Logger.getLogger("io.fabric8.kubernetes.client.extended.leaderelection").setLevel(Level.SEVERE);
        Logger.getLogger("dev.l2announcer.election").setLevel(Level.WARNING);
        long start = System.nanoTime();
        String only = System.getProperty("bench.only", "");
        if (only.isEmpty() || only.contains("baseline")) {
            baseline(100, 3, CILIUM, false);
            baseline(100, 3, FAST, true);
        }
        if (only.isEmpty() || only.contains("engine")) {
            engine(100, 3, CILIUM, false, true);
            engine(100, 10, CILIUM, false, true);
            engine(1000, 3, CILIUM, false, true);
            engine(1000, 10, CILIUM, false, true);
            engine(100, 3, FAST, false, true);
            engine(100, 10, FAST, false, true);
        }
        if (only.contains("spread")) engine(100, 10, FAST, false, true);
        if (only.isEmpty() || only.contains("fast")) {
            engine(100, 3, CILIUM_HEARTBEATS, false, true);
            engine(1000, 3, CILIUM_HEARTBEATS, false, true);
            engine(1000, 10, CILIUM_HEARTBEATS, false, true);
            handover(1000, 2, CILIUM_HEARTBEATS);
            handover(1000, 3, CILIUM_HEARTBEATS);
            crashFailovers(300, 3, CILIUM_HEARTBEATS, Integer.getInteger("bench.kills", 30));
        }
        if (only.contains("kill300")) crashFailovers(300, 3, CILIUM_HEARTBEATS, Integer.getInteger("bench.kills", 30));
        if (only.isEmpty() || only.contains("handover")) {
            // 1,000 leases at 3s/1s/200ms would need 5,000 renewals/s, beyond the mock server: Cilium's defaults.
            handover(1000, 2, CILIUM);
            handover(1000, 3, CILIUM);
        }
        if (only.isEmpty() || only.contains("crash")) crashFailovers(30, 3, FAST, Integer.getInteger("bench.kills", 50));
        if (only.contains("n10")) {
            engine(1000, 10, CILIUM, false, false);
        }
        if (only.isEmpty() || only.contains("heap")) heldByOne(10_000);
        System.out.println();
        System.out.println("==== LeaseElectionBenchmark (fabric8 mock server 7.5.2, one JVM, 2 shared cores) ====");
        rows.forEach(System.out::println);
        System.out.printf("(total benchmark time %.0f s)%n", (System.nanoTime() - start) / 1e9);
    }

    // ---------------------------------------------------------------- baseline: one LeaderElector per (service, node)

    void baseline(int services, int nodes, LeaseTimings t, boolean failover) throws Exception {
        try (Server s = new Server()) {
            int threadsBefore = Thread.activeCount();
            List<KubernetesClient> clients = new ArrayList<>();
            Map<String, List<CompletableFuture<?>>> electors = new HashMap<>();
            for (int n = 0; n < nodes; n++) {
                KubernetesClient c = s.h.client();
                clients.add(c);
                String node = "node-" + n;
                List<CompletableFuture<?>> mine = new ArrayList<>();
                for (int i = 0; i < services; i++) {
                    String lease = String.format("cilium-l2announce-default-svc-%04d", i);
                    mine.add(c.leaderElector().withConfig(new LeaderElectionConfigBuilder()
                            .withName(lease)
                            .withLeaseDuration(t.leaseDuration())
                            .withRenewDeadline(t.renewDeadline())
                            .withRetryPeriod(t.retryPeriod())
                            .withLock(new LeaseLock(ElectionHarness.NS, lease, node))
                            .withLeaderCallbacks(new LeaderCallbacks(() -> {}, () -> {}, id -> {}))
                            .withReleaseOnCancel(false)
                            .build()).build().start());
                }
                electors.put(node, mine);
            }
            await().ignoreExceptions().atMost(60, TimeUnit.SECONDS).pollInterval(Duration.ofMillis(200)).until(() ->
                    s.h.admin.leases().inNamespace(ElectionHarness.NS).list().getItems().stream()
                            .filter(l -> !ElectionHarness.holder(l).isEmpty()).count() == services);
            Thread.sleep(t.retryPeriod().toMillis() * 3);
            Window w = measure(s, List.of(), t.retryPeriod().multipliedBy(5).compareTo(Duration.ofSeconds(5)) < 0 ? Duration.ofSeconds(5) : t.retryPeriod().multipliedBy(5));
            Map<String, Integer> spread = new TreeMap<>();
            s.h.admin.leases().inNamespace(ElectionHarness.NS).list().getItems().forEach(l -> spread.merge(ElectionHarness.holder(l), 1, Integer::sum));
            double max = spread.values().stream().mapToInt(i -> i).max().orElse(0);
            row("baseline fabric8 LeaderElector S=%d N=%d %s | req/s total %.0f (%s), per node avg %.0f | model %.0f | spread %s max/mean %.2f | live threads +%d (JVM %d) | mock CPU %.2f cores, process %.2f",
                    services, nodes, t(t), w.total(), w.verbs(), w.total() / nodes, model(services, nodes, t), spread.values(),
                    max / ((double) services / nodes), Thread.activeCount() - threadsBefore, Thread.activeCount(), w.serverCpu(), w.processCpu());
            if (failover) {
                try (HolderLog log = new HolderLog(s.h.admin)) {
                    Thread.sleep(500);
                    String victim = spread.entrySet().stream().max(Map.Entry.comparingByValue()).orElseThrow().getKey();
                    List<String> its = s.h.admin.leases().inNamespace(ElectionHarness.NS).list().getItems().stream()
                            .filter(l -> victim.equals(ElectionHarness.holder(l))).map(l -> l.getMetadata().getName()).toList();
                    long killedAt = System.nanoTime();
                    electors.get(victim).forEach(f -> f.cancel(true));
                    clients.get(Integer.parseInt(victim.substring(5))).close();
                    await().ignoreExceptions().atMost(60, TimeUnit.SECONDS).pollInterval(Duration.ofMillis(100))
                            .until(() -> its.stream().allMatch(l -> log.takeover(l, victim, killedAt) != null));
                    List<Double> d = its.stream().map(l -> log.takeover(l, victim, killedAt)).toList();
                    row("baseline fabric8 LeaderElector S=%d N=%d %s | crash failover (1 node kill, %d leases): %s",
                            services, nodes, t(t), its.size(), stats(d));
                }
            }
            electors.values().forEach(l -> l.forEach(f -> f.cancel(true)));
            clients.forEach(KubernetesClient::close);
        }
    }

    // ---------------------------------------------------------------- our engine

    static Map<String, SortedSet<String>> campaignOf(int services, List<Agent> live) {
        return ElectionHarness.leases(services, live);
    }

    void engine(int services, int nodes, LeaseTimings t, boolean failovers, boolean graceful) throws Exception {
        try (Server s = new Server()) {
            int threadsBefore = Thread.activeCount();
            List<Agent> agents = new ArrayList<>();
            for (int n = 0; n < nodes; n++) agents.add(s.h.start("node-" + n, t, Ticker.system(), Clock.systemUTC()));
            s.h.awaitWatching(agents.toArray(Agent[]::new));
            int threadsPerAgent = (Thread.activeCount() - threadsBefore) / nodes;
            long t0 = System.nanoTime();
            var leases = campaignOf(services, agents);
            agents.forEach(a -> a.engine.campaign(leases));
            await().ignoreExceptions().atMost(120, TimeUnit.SECONDS).pollInterval(Duration.ofMillis(20)).until(() -> s.h.holders().size() == services);
            double acquireAll = (System.nanoTime() - t0) / 1e9;
            Thread.sleep(t.retryPeriod().toMillis() * 2);
            double lost0 = agents.stream().mapToDouble(a -> a.counter(ElectionMetrics.TRANSITIONS, "outcome", "lost")).sum();
            double fail0 = agents.stream().mapToDouble(a -> a.counter(ElectionMetrics.RENEW_FAILURES)).sum();
            long c0 = s.h.dispatcher.conflicts.sum();
            Window w = measure(s, agents, t.retryPeriod().multipliedBy(5).compareTo(Duration.ofSeconds(5)) < 0 ? Duration.ofSeconds(5) : t.retryPeriod().multipliedBy(5));
            row("engine S=%d N=%d %s | during the window: lost %.0f, renew failures %.0f, 409s %d", services, nodes, t(t),
                    agents.stream().mapToDouble(a -> a.counter(ElectionMetrics.TRANSITIONS, "outcome", "lost")).sum() - lost0,
                    agents.stream().mapToDouble(a -> a.counter(ElectionMetrics.RENEW_FAILURES)).sum() - fail0, s.h.dispatcher.conflicts.sum() - c0);
            if (Boolean.getBoolean("bench.debug")) {
                for (Agent a : agents) {
                    var views = a.engine.leases();
                    System.out.printf("BENCHDBG %s held %d unknownHolder %d watching %s acquired %.0f lost %.0f%n", a.node, a.engine.held().size(),
                            views.stream().filter(v -> v.holder().isEmpty()).count(), a.engine.watchConnected(),
                            a.counter(ElectionMetrics.TRANSITIONS, "outcome", "acquired"), a.counter(ElectionMetrics.TRANSITIONS, "outcome", "lost"));
                }
                System.out.println("BENCHDBG lost reasons " + agents.getFirst().events.stream().filter(e -> e.event() instanceof LeadershipEvent.Lost)
                        .collect(java.util.stream.Collectors.groupingBy(e -> ((LeadershipEvent.Lost) e.event()).reason(), java.util.stream.Collectors.counting())));
                System.out.println("BENCHDBG node-0 events " + agents.getFirst().events.stream().limit(400).map(e -> e.event().getClass().getSimpleName().charAt(0) + e.event().leaseName().substring(30)).toList());
                var api = s.h.admin.leases().inNamespace(ElectionHarness.NS).list().getItems();
                api.stream().filter(l -> "node-0".equals(ElectionHarness.holder(l)) && !agents.getFirst().engine.held().contains(l.getMetadata().getName())).limit(3)
                        .forEach(l -> System.out.println("BENCHDBG orphan " + l.getMetadata().getName() + " rv " + l.getMetadata().getResourceVersion() + " renew " + l.getSpec().getRenewTime()
                                + " view " + agents.getFirst().engine.leases().stream().filter(v -> v.name().equals(l.getMetadata().getName())).toList()));
                System.out.println("BENCHDBG server holders " + s.h.admin.leases().inNamespace(ElectionHarness.NS).list().getItems().stream()
                        .collect(java.util.stream.Collectors.groupingBy(ElectionHarness::holder, TreeMap::new, java.util.stream.Collectors.counting())));
            }
            List<Integer> held = agents.stream().map(a -> a.engine.held().size()).toList();
            double max = held.stream().mapToInt(i -> i).max().orElse(0);
            double perNodeMax = 0, perNodeMin = Double.MAX_VALUE;
            for (long r : w.perAgent()) {
                perNodeMax = Math.max(perNodeMax, r / w.seconds());
                perNodeMin = Math.min(perNodeMin, r / w.seconds());
            }
            double bound = writeBound(services, nodes, t);
            row("engine S=%d N=%d %s | all acquired in %.2f s | req/s total %.1f (%s; bound S/RP%s = %.0f, %+.1f%%), per node %.1f..%.1f | model (baseline) %.0f | spread %s max/mean %.2f | threads/agent %d (JVM %d) | mock CPU %.2f cores, process %.2f",
                    services, nodes, t(t), acquireAll, w.total(), w.verbs(), t.fastFailover() ? " + N/I" : "", bound, 100 * (w.total() - bound) / bound, perNodeMin, perNodeMax,
                    model(services, nodes, t), held, max / ((double) services / nodes), threadsPerAgent, Thread.activeCount(), w.serverCpu(), w.processCpu());
            if (graceful) {
                List<Agent> live = agents.stream().filter(a -> !a.killed).toList();
                Agent leaving = live.stream().max((a, b) -> Integer.compare(a.engine.held().size(), b.engine.held().size())).orElseThrow();
                Set<String> its = leaving.engine.held();
                long g0 = System.nanoTime();
                leaving.engine.shutdown(Duration.ofSeconds(5));
                double released = (System.nanoTime() - g0) / 1e9;
                await().ignoreExceptions().atMost(30, TimeUnit.SECONDS).pollInterval(Duration.ofMillis(2)).until(() -> {
                    var h = s.h.holders();
                    return its.stream().allMatch(l -> h.containsKey(l) && !h.get(l).contains(leaving.node));
                });
                double handed = (System.nanoTime() - g0) / 1e9;
                leaving.killed = true;
                row("engine S=%d N=%d %s | graceful stop of a node holding %d leases: shutdown() returned in %.3f s, all re-acquired by others in %.3f s",
                        services, nodes, t(t), its.size(), released, handed);
            }
        }
    }

    /**
     * Kill -9 (no release) of a holder, {@code kills} times in a row, each time a fresh agent joining in its place.
     * One sample per kill: from the kill to the last of the victim's leases taken over (seen on an admin watch),
     * plus every per-lease takeover.
     */
    void crashFailovers(int services, int nodes, LeaseTimings t, int kills) throws Exception {
        try (Server s = new Server()) {
            List<Agent> agents = new ArrayList<>();
            for (int n = 0; n < nodes; n++) agents.add(s.h.start("node-" + n, t, Ticker.system(), Clock.systemUTC()));
            s.h.awaitWatching(agents.toArray(Agent[]::new));
            var initial = campaignOf(services, agents);
            agents.forEach(a -> a.engine.campaign(initial));
            await().atMost(60, TimeUnit.SECONDS).pollInterval(Duration.ofMillis(20)).until(() -> s.h.holders().size() == services);
            List<Double> perLease = new ArrayList<>();
            List<Double> perKill = new ArrayList<>();
            int next = nodes;
            long conflicts0 = s.h.dispatcher.conflicts.sum();
            try (HolderLog log = new HolderLog(s.h.admin)) {
                for (int k = 0; k < kills; k++) {
                    List<Agent> live = new ArrayList<>(agents.stream().filter(a -> !a.killed).toList());
                    Agent victim = live.stream().max((a, b) -> Integer.compare(a.engine.held().size(), b.engine.held().size())).orElseThrow();
                    Thread.sleep(ThreadLocalRandomHolder.next(t.retryPeriod().toMillis()));
                    Set<String> its = victim.engine.held();
                    long killedAt = System.nanoTime();
                    victim.kill();
                    await().ignoreExceptions().atMost(30, TimeUnit.SECONDS).pollInterval(Duration.ofMillis(20))
                            .until(() -> its.stream().allMatch(l -> log.takeover(l, victim.node, killedAt) != null));
                    List<Double> d = its.stream().map(l -> log.takeover(l, victim.node, killedAt)).toList();
                    perLease.addAll(d);
                    perKill.add(d.stream().mapToDouble(x -> x).max().orElse(0));
                    // A replacement node joins; every live node campaigns with the new candidate set.
                    Agent fresh = s.h.start("node-" + next++, t, Ticker.system(), Clock.systemUTC());
                    agents.add(fresh);
                    s.h.awaitWatching(fresh);
                    List<Agent> now = agents.stream().filter(a -> !a.killed).toList();
                    var leases = campaignOf(services, now);
                    now.forEach(a -> a.engine.campaign(leases));
                    Thread.sleep(t.retryPeriod().toMillis() * 2);
                }
            }
            // Without heartbeats a takeover waits for the Service Lease to expire; with them, for the holder's
            // heartbeat to age past its expiry (the target: every lease of the victim within 1.0 s).
            double low = t.fastFailover() ? (t.heartbeatExpiry().toMillis() - t.heartbeatInterval().toMillis()) / 1000.0
                    : (t.leaseDuration().toMillis() - t.retryPeriod().toMillis()) / 1000.0;
            double high = t.fastFailover() ? 1.0 : t.leaseDuration().toMillis() / 1000.0 + 0.1;
            long over = perLease.stream().filter(x -> x > high).count();
            row("engine S=%d N=%d %s | crash failover (kill -9, no release), %d separate kills: per kill (last lease of the victim) %s; per lease %s; over bound %d; 409s %d | bound [%s] = [%.2f, %.2f] s",
                    services, nodes, t(t), kills, stats(perKill), stats(perLease), over, s.h.dispatcher.conflicts.sum() - conflicts0,
                    t.fastFailover() ? "heartbeatExpiry-I, 1.0 target" : "leaseDuration-RP, leaseDuration+0.1", low, high);
        }
    }

    /**
     * Graceful stop of one node holding all {@code services} leases while {@code followers} other nodes campaign
     * for them too (a drained node): from shutdown() start to the last lease acquired by another node (the
     * acquirer's own Acquired event time, same monotonic clock).
     */
    void handover(int services, int followers, LeaseTimings t) throws Exception {
        try (Server s = new Server()) {
            Agent leaving = s.h.start("node-0", t, Ticker.system(), Clock.systemUTC());
            s.h.awaitWatching(leaving);
            var alone = campaignOf(services, List.of(leaving));
            leaving.engine.campaign(alone);
            await().atMost(120, TimeUnit.SECONDS).pollInterval(Duration.ofMillis(50)).until(() -> leaving.engine.held().size() == services);
            List<Agent> others = new ArrayList<>();
            for (int n = 1; n <= followers; n++) others.add(s.h.start("node-" + n, t, Ticker.system(), Clock.systemUTC()));
            s.h.awaitWatching(others.toArray(Agent[]::new));
            List<Agent> all = new ArrayList<>(others);
            all.add(leaving);
            var leases = campaignOf(services, all);
            all.forEach(a -> a.engine.campaign(leases));
            Thread.sleep(Math.max(1000, t.retryPeriod().toMillis() * 2));
            Set<String> its = leaving.engine.held();
            Map<String, Long> before = s.h.dispatcher.snapshot();
            long c0 = s.h.dispatcher.conflicts.sum();
            long cpu0 = s.serverCpuNanos();
            long p0 = processCpu();
            jdk.jfr.Recording jfr = null;
            if (System.getProperty("bench.jfr") != null) {
                jfr = new jdk.jfr.Recording(jdk.jfr.Configuration.getConfiguration("profile"));
                jfr.start();
            }
            long g0 = System.nanoTime();
            if (Boolean.getBoolean("bench.debug")) {
                Thread dump = new Thread(() -> {
                    try {
                        Thread.sleep(1500);
                    } catch (InterruptedException e) {
                        return;
                    }
                    Thread.getAllStackTraces().forEach((th, st) -> {
                        StringBuilder b = new StringBuilder("BENCHDBG thread " + th.getName() + " " + th.getState());
                        for (int i = 0; i < Math.min(12, st.length); i++) b.append("\n    ").append(st[i]);
                        System.out.println(b);
                    });
                });
                dump.setDaemon(true);
                dump.start();
            }
            leaving.engine.shutdown(Duration.ofSeconds(10));
            double released = (System.nanoTime() - g0) / 1e9;
            await().atMost(30, TimeUnit.SECONDS).pollInterval(Duration.ofMillis(20)).until(() -> {
                Set<String> taken = new java.util.HashSet<>();
                for (Agent a : others) a.engine.held().forEach(taken::add);
                return taken.containsAll(its);
            });
            if (jfr != null) {
                jfr.stop();
                jfr.dump(java.nio.file.Path.of(System.getProperty("bench.jfr") + "-" + followers + ".jfr"));
            }
            double cpu = (s.serverCpuNanos() - cpu0) / 1e9;
            double pcpu = (processCpu() - p0) / 1e9;
            Map<String, Long> firstAcquired = new HashMap<>();
            for (Agent a : others) {
                for (ElectionHarness.Event e : a.events) {
                    if (e.event() instanceof LeadershipEvent.Acquired && e.tickerNanos() >= g0) firstAcquired.merge(e.event().leaseName(), e.tickerNanos(), Math::min);
                }
            }
            double handed = (its.stream().mapToLong(l -> firstAcquired.getOrDefault(l, Long.MAX_VALUE)).max().orElse(g0) - g0) / 1e9;
            List<Double> each = its.stream().map(l -> (firstAcquired.get(l) - g0) / 1e9).toList();
            Map<String, Long> after = s.h.dispatcher.snapshot();
            Map<String, Long> delta = new TreeMap<>();
            after.forEach((k, v) -> delta.put(k, v - before.getOrDefault(k, 0L)));
            delta.remove("watch");
            List<Integer> spread = others.stream().map(a -> a.engine.held().size()).toList();
            row("engine S=%d N=%d %s | graceful handover: node holding %d leases stops, shutdown() returned in %.3f s, last lease acquired by another node %.3f s after shutdown() started (per lease %s); requests %s, 409s %d; new spread %s; mock server CPU %.2f core-s (%.2f ms per write), whole JVM %.2f core-s",
                    services, followers + 1, t(t), its.size(), released, handed, stats(each), delta, s.h.dispatcher.conflicts.sum() - c0, spread, cpu,
                    1000 * cpu / Math.max(1, delta.getOrDefault("update", 0L) + delta.getOrDefault("create", 0L)), pcpu);
        }
    }

    static final class ThreadLocalRandomHolder {
        static long next(long bound) {
            return java.util.concurrent.ThreadLocalRandom.current().nextLong(bound);
        }
    }

    // ---------------------------------------------------------------- 10,000 leases on one agent

    void heldByOne(int count) throws Exception {
        // 10,000 renewals per 2 s would be 5,000 writes/s, beyond what the mock server sustains; with 10,000 stored
        // objects it does ~500 writes/s (each write scans the store), so even a 20 s retry period keeps it saturated and
        // a slow run drops renewals. A 40 s retry period (250 writes/s) keeps the server out of the way: what is
        // measured here is the agent's memory and threads, with the engine unchanged.
        LeaseTimings slow = new LeaseTimings(Duration.ofSeconds(120), Duration.ofSeconds(80), Duration.ofSeconds(40));
        try (Server s = new Server()) {
            ExecutorService pool = Executors.newFixedThreadPool(8);
            List<CompletableFuture<?>> fs = new ArrayList<>();
            Instant now = Instant.now();
            for (int i = 0; i < count; i++) {
                String name = String.format("cilium-l2announce-default-svc-%05d", i);
                fs.add(CompletableFuture.runAsync(() -> s.h.admin.leases().inNamespace(ElectionHarness.NS).resource(new LeaseBuilder()
                        .withNewMetadata().withName(name).withNamespace(ElectionHarness.NS).endMetadata()
                        .withNewSpec().withHolderIdentity("ghost").withLeaseDurationSeconds(1)
                        .withAcquireTime(now.atZone(java.time.ZoneOffset.UTC)).withRenewTime(now.atZone(java.time.ZoneOffset.UTC))
                        .withLeaseTransitions(0).endSpec().build()).create(), pool));
            }
            CompletableFuture.allOf(fs.toArray(CompletableFuture[]::new)).join();
            pool.shutdown();
            long heap0 = usedHeapAfterGc();
            int threads0 = Thread.activeCount();
            Agent a = s.h.start("node-0", slow, Ticker.system(), Clock.systemUTC());
            s.h.awaitWatching(a);
            TreeSet<String> me = new TreeSet<>(Set.of("node-0"));
            Map<String, SortedSet<String>> leases = new TreeMap<>();
            for (int i = 0; i < count; i++) leases.put(String.format("cilium-l2announce-default-svc-%05d", i), me);
            long t0 = System.nanoTime();
            a.engine.campaign(leases);
            await().ignoreExceptions().atMost(300, TimeUnit.SECONDS).pollInterval(Duration.ofMillis(50))
                    .conditionEvaluationListener(c -> {
                        if (c.getElapsedTimeInMS() % 5000 < 50) System.out.println("BENCHDBG held " + a.engine.held().size() + " server " + s.h.dispatcher.snapshot()
                                + " engine " + engineRequests(a) + " watching " + a.engine.watchConnected());
                    })
                    .until(() -> a.engine.held().size() == count);
            double took = (System.nanoTime() - t0) / 1e9;
            Thread.sleep(1000);
            long heap1 = usedHeapAfterGc();
            int threads1 = Thread.activeCount();
            row("engine, one agent holding %d leases (%s) | taken over in %.1f s | agent heap %.1f MiB (used heap after GC, minus the same before the agent started) | agent threads %d (JVM %d)",
                    count, t(slow), took, (heap1 - heap0) / 1048576.0, threads1 - threads0, threads1);
        }
    }

    static long usedHeapAfterGc() throws InterruptedException {
        for (int i = 0; i < 3; i++) {
            System.gc();
            Thread.sleep(200);
        }
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    }
}
