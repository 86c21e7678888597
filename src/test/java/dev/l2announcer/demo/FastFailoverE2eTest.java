package dev.l2announcer.demo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.l2announcer.config.LeaseTimings;
import dev.l2announcer.datapath.MacAddress;
import java.io.IOException;
import java.net.Inet4Address;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.locks.LockSupport;
import java.util.stream.Collectors;
import org.assertj.core.api.SoftAssertions;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * Issue 14's targets where the issue states them: three packaged agents in network namespaces with real XDP, at
 * Cilium's default timings (15s / 5s / 2s) and the default 200 ms node heartbeat, 300 Services (one IP and one
 * Lease each), a client that ARPs the faulted node's IPs every ~60 ms and records every answer with kernel
 * timestamps. Per fault, per IP: the time from the fault to the first answer by another node. Faults: kill -9
 * ({@code e2e.fast.kills}, 30 by default, each at a random phase of the heartbeat), SIGSTOP for longer than the
 * lease then SIGCONT, the holder cut from the API server (blackhole route), and carrier loss on the holder's only
 * interface (which is also its path to the API server, as on a one-NIC node).
 *
 * <p>Asserted over the whole run: no probe answered by two MACs, no map sample with two nodes answering one IP; per
 * trial: the faulted node silent within its fence, the thawed or reconnected node answering no IP it does not hold,
 * every IP answered again by another node within {@link #BOUND}. {@link #BOUND} is looser than the targets
 * (1.0 s, 1.5 s for an API cut) because a second-long stall of this shared 2-core machine must not fail CI; the
 * summary says per fault whether the target was met, with the worst kill and the worst IP.
 */
@Tag("e2e")
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class FastFailoverE2eTest {
    static final Path JAR = Path.of("target", "quarkus-app", "quarkus-run.jar");
    static final String NS = AgentCluster.LEASE_NAMESPACE;
    static final int SERVICES = Integer.getInteger("e2e.fast.services", 300);
    static final int KILLS = Integer.getInteger("e2e.fast.kills", 30);
    static final int TRIALS = Integer.getInteger("e2e.fast.trials", 3);
    /** Cilium's defaults, as the issue measures them. */
    static final AgentCluster.Timings T = new AgentCluster.Timings(Duration.ofSeconds(15), Duration.ofSeconds(5),
            Duration.ofSeconds(2));
    static final LeaseTimings TIMINGS = new LeaseTimings(T.leaseDuration(), T.renewDeadline(), T.retryPeriod(),
            LeaseTimings.DEFAULT_HEARTBEAT_INTERVAL);
    static final Duration MAX_AGE = TIMINGS.livenessMaxAge();
    /** Rule 1 with the fast path: silent by the last successful beat's send + fence + max age. */
    static final Duration SILENT_WITHIN = TIMINGS.heartbeatInterval().plus(TIMINGS.heartbeatFence()).plus(MAX_AGE);
    /** Probe send jitter against the stamp's age (the program checks the age when the request arrives). */
    static final Duration STAMP_SLACK = Duration.ofMillis(150);
    static final Duration TARGET = Duration.ofSeconds(1);
    static final Duration API_CUT_TARGET = Duration.ofMillis(1500);
    /** What a trial must meet to pass here; the lease model alone would take 15 s. */
    static final Duration BOUND = Duration.parse(System.getProperty("e2e.fast.bound", "PT4S"));
    static final Duration TICK = Duration.ofMillis(20);
    static final int FOCUS_PER_TICK = 40, ALL_PER_TICK = 5;
    static final String API_ROUTE = NetnsCluster.API_IP + "/32";

    private AgentCluster cluster;
    private ArpSampler client;
    private ResponderMapSampler maps;
    private final Map<String, Integer> ipOfLease = new HashMap<>();
    private final List<Inet4Address> ips = new ArrayList<>();
    /** Per fault: per trial the worst IP's time, and every IP's time. */
    private final Map<String, List<Duration>> worstPerTrial = new LinkedHashMap<>();
    private final Map<String, List<Duration>> perIp = new LinkedHashMap<>();
    private final Map<String, String> worstText = new HashMap<>();
    private final TimingSummary details = new TimingSummary();
    private final Random phase = new Random(14);
    private long runFrom;
    private Instant startedAt;

    @BeforeAll
    void up() {
        assumeTrue(HostCommand.isRoot(), "e2e needs root (network/mount namespaces, BPF); skipped");
        startedAt = Instant.now();
        cluster = AgentCluster.create(3, JAR, T, Path.of("target", "e2e-logs", "fast-failover"), NetnsCluster.API_JVM_OPTIONS);
        // A node may come to hold all 300 Leases (150 renewals/s): room for that and the takeovers.
        cluster.configure("k8s-client-qps", "2000");
        cluster.configure("k8s-client-burst", "400");
        cluster.api().policy(Resources.POLICY);
        cluster.nodeNames().forEach(cluster::startAgent);
        cluster.nodeNames().forEach(this::awaitReady);
        for (int i = 0; i < SERVICES; i++) {
            ips.add(NetnsCluster.ipv4(i < 250 ? "198.51.100." + (i + 1) : "203.0.113." + (i - 250 + 1)));
        }
        client = new ArpSampler(cluster.net().client().netns(), "eth0", NetnsCluster.ipv4(NetnsCluster.PROBER_IP), ips,
                cluster.net().nodes().stream().map(NetnsCluster.Member::mac).toList());
        client.start(TICK, FOCUS_PER_TICK, ALL_PER_TICK, Duration.ofHours(1).dividedBy(TICK));
        maps = new ResponderMapSampler(cluster.nodeNames().stream()
                .map(n -> new ResponderMapSampler.Node(n, cluster.pinDir(n), cluster.lanIfindex(n))).toList(),
                ips, Duration.ofMillis(100), Duration.ofHours(1).dividedBy(Duration.ofMillis(100)));
        runFrom = now();
        Instant created = Instant.now();
        for (int i = 0; i < SERVICES; i++) {
            String name = String.format("fast-%03d", i);
            cluster.api().service(Resources.service(name, ips.get(i).getHostAddress()));
            cluster.api().serviceLoadBalancerIp("default", name, ips.get(i).getHostAddress());
            ipOfLease.put("cilium-l2announce-default-" + name, i);
        }
        awaitSteady(Duration.ofSeconds(180));
        details.add(SERVICES + " Services created -> every IP answered by its Lease holder",
                Duration.between(created, Instant.now()), "informational");
    }

    @AfterAll
    void down() throws IOException {
        try {
            if (client != null && !worstPerTrial.isEmpty()) {
                String text = summary();
                System.out.println("\n" + text);
                Files.createDirectories(Path.of("target"));
                Files.writeString(Path.of("target", "e2e-fast-failover-summary.md"), text + "\nWhat the harness did (UTC):\n\n"
                        + cluster.events().stream().map(e -> "    " + e).collect(Collectors.joining("\n")) + "\n");
            }
        } finally {
            if (maps != null) {
                maps.close();
            }
            if (client != null) {
                client.close();
            }
            if (cluster != null) {
                cluster.close();
            }
        }
    }

    // ------------------------------------------------------------------ faults

    /** kill -9 of the node holding the most Leases, {@link #KILLS} times; the victim restarts after each. */
    @Test
    @Order(1)
    void killDashNineOfAHolder() {
        SoftAssertions soft = new SoftAssertions();
        String fault = "kill -9 of a holder";
        for (int k = 0; k < KILLS; k++) {
            Trial t = begin();
            long t0 = ns(cluster.stopAgent(t.victim(), false));
            ArpSamples s = awaitTakeover(t);
            assertSilentBy(soft, fault, s, t, t0, now(), MAX_AGE, "kill -9: killed holder's last answer after the signal");
            judge(soft, fault, s, t, t0, TARGET);
            assertThat(cluster.awaitExit(t.victim(), Duration.ofSeconds(20))).as(t.victim() + " exited").isTrue();
            cluster.startAgent(t.victim());
            awaitReady(t.victim());
            // The restarted agent meets the claim on its old heartbeat and sits out its quarantine (renewDeadline):
            // killing the next holder before that ends would leave one survivor to take every Lease alone.
            settle(T.renewDeadline().plusSeconds(1));
        }
        soft.assertAll();
    }

    /** SIGSTOP for longer than the lease, then SIGCONT: taken over while frozen; thawed, it answers nothing it lost. */
    @Test
    @Order(2)
    void sigstopLongerThanTheLeaseThenSigcont() {
        SoftAssertions soft = new SoftAssertions();
        String fault = "SIGSTOP > lease, then SIGCONT";
        for (int k = 0; k < TRIALS; k++) {
            Trial t = begin();
            long t0 = ns(cluster.signal(t.victim(), "STOP"));
            awaitTakeover(t);
            sleepUntil(t0 + T.leaseDuration().plusSeconds(1).toNanos());
            long t1 = ns(cluster.signal(t.victim(), "CONT"));
            // Its overdue timers run at once (liveness refresh, GARP repeats, the beat that meets the claim).
            settle(T.retryPeriod().plusSeconds(2));
            ArpSamples s = client.samples();
            assertSilentBy(soft, fault, s, t, t0, t1, MAX_AGE, "SIGSTOP: frozen holder's last answer after the signal");
            assertNothingAnsweredWithoutLease(soft, fault, s, t.victim(), t1, now());
            judge(soft, fault, s, t, t0, TARGET);
            awaitReady(t.victim());
        }
        soft.assertAll();
    }

    /** A blackhole route to the API server on the holder: its beats fail, it fences, a follower claims and takes over. */
    @Test
    @Order(3)
    void holderCutFromTheApiServer() {
        SoftAssertions soft = new SoftAssertions();
        String fault = "holder cut from the API server";
        for (int k = 0; k < TRIALS; k++) {
            Trial t = begin();
            long t0 = ns(route(t.victim(), "add"));
            ArpSamples during = awaitTakeover(t);
            long t1 = ns(route(t.victim(), "del"));
            settle(T.retryPeriod().plusSeconds(2));
            ArpSamples s = client.samples();
            assertSilentBy(soft, fault, during, t, t0, t1, SILENT_WITHIN,
                    "API cut: cut holder's last answer after the cut (fence: last beat + 2 I + max age)");
            assertNothingAnsweredWithoutLease(soft, fault, s, t.victim(), t1, now());
            judge(soft, fault, s, t, t0, API_CUT_TARGET);
        }
        soft.assertAll();
    }

    /**
     * Carrier loss on the holder's only interface (the LAN side of its veth set down): nobody hears it any more,
     * and its API traffic shares that interface (cilium#35507: noticed only through lease expiry there).
     */
    @Test
    @Order(4)
    void carrierLossOnTheHoldersInterface() {
        SoftAssertions soft = new SoftAssertions();
        String fault = "carrier loss on the holder's interface";
        for (int k = 0; k < TRIALS; k++) {
            Trial t = begin();
            long t0 = ns(cluster.carrier(t.victim(), false));
            awaitTakeover(t);
            long t1 = ns(cluster.carrier(t.victim(), true));
            settle(T.retryPeriod().plusSeconds(2));
            ArpSamples s = client.samples();
            assertNothingAnsweredWithoutLease(soft, fault, s, t.victim(), t1, now());
            judge(soft, fault, s, t, t0, TARGET);
        }
        soft.assertAll();
    }

    /** Last: the one-responder invariant over everything above, at the wire and in the kernel maps. */
    @Test
    @Order(100)
    void neverTwoAnswerersForOneIpDuringTheWholeRun() {
        long to = now();
        List<ArpSamples.Dual> duals = client.samples().duals(runFrom, to);
        assertThat(duals).as("probes answered by two MACs over the whole run: " + duals.stream().limit(10)
                .map(d -> d.ip().getHostAddress() + " at " + Instant.ofEpochSecond(0, d.probeAt()) + " by "
                        + d.macs().stream().map(cluster::nameOf).toList()).toList()).isEmpty();
        assertThat(overlapSamples(runFrom, to)).as("map samples with two nodes answering one IP").isZero();
    }

    // ------------------------------------------------------------------ one trial

    /** The faulted node and the IPs it held when the fault began. */
    record Trial(String victim, List<Integer> ids) {
    }

    /**
     * Steady state, the most loaded node chosen, its IPs in focus, then a random wait of up to one heartbeat
     * interval: the fault lands at any phase of the victim's beat (the worst case is just before a beat).
     */
    private Trial begin() {
        awaitSteady(Duration.ofSeconds(90));
        String victim = mostLoaded();
        List<Integer> ids = ipsOf(victim);
        client.focus(ids.stream().map(ips::get).toList());
        settle(Duration.ofMillis(700 + phase.nextInt((int) TIMINGS.heartbeatInterval().toMillis())));
        return new Trial(victim, ids);
    }

    /** Until another node's map answers every IP of the trial, then a moment for the capture to catch up. */
    private ArpSamples awaitTakeover(Trial t) {
        int skip = cluster.nodeNames().indexOf(t.victim());
        await("the IPs of " + t.victim() + " answered by another node").atMost(T.leaseDuration().plusSeconds(15))
                .pollInterval(Duration.ofMillis(100)).until(() -> {
                    ResponderMapSampler.Sample s = maps.sample();
                    BitSet others = new BitSet();
                    for (int k = 0; k < s.nodes().size(); k++) {
                        if (k != skip) {
                            others.or(s.nodes().get(k).answering());
                        }
                    }
                    return t.ids().stream().allMatch(others::get);
                });
        settle(Duration.ofMillis(500));
        return client.samples();
    }

    /** Per IP: from the fault to the first answer by another node (client kernel timestamp); recorded and bounded. */
    private void judge(SoftAssertions soft, String fault, ArpSamples s, Trial t, long t0, Duration target) {
        Set<MacAddress> others = cluster.nodeNames().stream().filter(n -> !n.equals(t.victim())).map(this::macOf)
                .collect(Collectors.toSet());
        Duration worst = Duration.ZERO;
        Duration first = null;
        for (int id : t.ids()) {
            long answer = s.firstAnswerAfter(id, t0, others);
            soft.assertThat(answer).as(fault + ": " + ips.get(id).getHostAddress() + " answered by another node").isPositive();
            if (answer <= 0) {
                continue;
            }
            Duration d = Duration.ofNanos(answer - t0);
            first = first == null || d.compareTo(first) < 0 ? d : first;
            perIp.computeIfAbsent(fault, f -> new ArrayList<>()).add(d);
            if (d.compareTo(worst) > 0) {
                worst = d;
                if (worstPerTrial.getOrDefault(fault, List.of()).stream().allMatch(w -> d.compareTo(w) > 0)) {
                    worstText.put(fault, ips.get(id).getHostAddress() + " " + TimingSummary.ms(d) + " (trial "
                            + (worstPerTrial.getOrDefault(fault, List.of()).size() + 1) + ", " + t.ids().size() + " IPs of "
                            + t.victim() + ")");
                }
            }
        }
        worstPerTrial.computeIfAbsent(fault, f -> new ArrayList<>()).add(worst);
        if (first != null) {
            // Detection plus the first takeover write; the rest of the trial's time is the other takeovers.
            details.add(fault + ": first of the IPs answered by another node", first, "informational");
        }
        Map<String, Long> successors = t.ids().stream().map(id -> s.answerers(id, now() - 400_000_000L, now()))
                .flatMap(Set::stream).collect(Collectors.groupingBy(cluster::nameOf, java.util.TreeMap::new, Collectors.counting()));
        cluster.mark(fault + ": " + t.ids().size() + " IPs of " + t.victim() + " now answered by " + successors
                + ", worst " + TimingSummary.ms(worst));
        targets.put(fault, target);
        soft.assertThat(worst).as(fault + ": every IP of " + t.victim() + " answered by another node within")
                .isLessThanOrEqualTo(BOUND);
    }

    private final Map<String, Duration> targets = new HashMap<>();

    /** Each IP's last answer by the victim (probe sent at or after {@code t0}) came no later than {@code within}. */
    private void assertSilentBy(SoftAssertions soft, String fault, ArpSamples s, Trial t, long t0, long to,
                                Duration within, String row) {
        long worst = 0;
        for (int id : t.ids()) {
            long last = s.lastAnsweredProbe(id, t0, to, Set.of(macOf(t.victim())));
            if (last > 0) {
                worst = Math.max(worst, last - t0);
            }
        }
        details.add(row, Duration.ofNanos(worst), "<= " + TimingSummary.ms(within));
        soft.assertThat(Duration.ofNanos(worst)).as(fault + ": " + t.victim() + " still answered after the fault")
                .isLessThanOrEqualTo(within.plus(STAMP_SLACK));
    }

    /** After the fault ends, {@code node} answers and announces only IPs whose Lease it holds. */
    private void assertNothingAnsweredWithoutLease(SoftAssertions soft, String fault, ArpSamples s, String node, long from,
                                                   long to) {
        Set<Integer> held = new HashSet<>(ipsOf(node));
        soft.assertThat(s.answeredBy(macOf(node), from, to).stream().filter(id -> !held.contains(id)).toList())
                .as(fault + ": IPs " + node + " answered afterwards without holding their Lease").isEmpty();
        soft.assertThat(s.gratuitousFrom(macOf(node), from, to).stream().filter(id -> !held.contains(id)).toList())
                .as(fault + ": gratuitous ARPs of " + node + " afterwards for IPs it does not hold").isEmpty();
        int k = cluster.nodeNames().indexOf(node);
        soft.assertThat(maps.samples(from, to).stream().map(x -> x.nodes().get(k).answering())
                        .filter(b -> b.stream().anyMatch(id -> !held.contains(id))).count())
                .as(fault + ": map samples of " + node + " afterwards answering IPs it does not hold").isZero();
    }

    // ------------------------------------------------------------------ helpers

    private String summary() {
        StringBuilder b = new StringBuilder("l2-announcer fast failover at Cilium's default timings ("
                + Instant.now().toString().substring(0, 10) + ", " + Runtime.getRuntime().availableProcessors() + " cores, "
                + Duration.between(startedAt, Instant.now()).toSeconds() + " s): 3 agents, " + SERVICES + " Services, lease "
                + AgentCluster.seconds(T.leaseDuration()) + " / renew " + AgentCluster.seconds(T.renewDeadline()) + " / retry "
                + AgentCluster.seconds(T.retryPeriod()) + ", heartbeat " + AgentCluster.seconds(TIMINGS.heartbeatInterval())
                + ", liveness max age " + AgentCluster.seconds(MAX_AGE) + "; the client sent " + client.samples().probes(runFrom, now())
                + " probes, " + client.samples().duals(runFrom, now()).size() + " answered by two MACs; "
                + maps.samples().size() + " map samples, " + overlapSamples(runFrom, now()) + " with two nodes answering one IP.\n\n");
        b.append("| fault | trials | IPs per trial | fault -> every IP answered by another node: median / max over trials"
                + " | per IP: median / p99 / max | target | met |\n|---|---:|---:|---:|---:|---|---|\n");
        worstPerTrial.forEach((fault, worst) -> {
            List<Duration> all = perIp.getOrDefault(fault, List.of()).stream().sorted().toList();
            Duration max = worst.stream().max(Comparator.naturalOrder()).orElseThrow();
            Duration target = targets.get(fault);
            b.append("| ").append(fault).append(" | ").append(worst.size()).append(" | ")
                    .append(all.size() / worst.size()).append(" | ")
                    .append(TimingSummary.ms(TimingSummary.median(worst))).append(" / ").append(TimingSummary.ms(max))
                    .append(" | ").append(TimingSummary.ms(TimingSummary.median(all))).append(" / ")
                    .append(TimingSummary.ms(all.get((int) Math.min(all.size() - 1, Math.ceil(all.size() * 0.99) - 1))))
                    .append(" / ").append(TimingSummary.ms(all.getLast())).append(" | <= ").append(TimingSummary.ms(target))
                    .append(" | ").append(max.compareTo(target) <= 0 ? "yes" : "**no** (worst " + worstText.get(fault) + ")")
                    .append(" |\n");
        });
        return b + "\nDetails (per trial):\n\n" + details.table();
    }

    private Instant route(String node, String op) {
        Instant at = Instant.now();
        cluster.mark("API blackhole route " + op + " on " + node);
        HostCommand.ok("ip", "-n", cluster.net().node(node).netns(), "route", op, "blackhole", API_ROUTE);
        return at;
    }

    private void awaitReady(String node) {
        await("agent on " + node + " ready").atMost(Duration.ofSeconds(180)).pollInterval(Duration.ofMillis(250))
                .failFast("agent on " + node + " exited", () -> !cluster.agent(node).isAlive())
                .until(() -> cluster.ready(node));
    }

    /** Every IP answered by exactly one datapath, its Lease holder's, and every agent alive. */
    private void awaitSteady(Duration within) {
        await("every IP answered by exactly its Lease holder").atMost(within).pollInterval(Duration.ofMillis(500))
                .failFast(() -> cluster.nodeNames().stream().anyMatch(n -> !cluster.agent(n).isAlive()))
                .until(() -> {
                    Map<String, String> h = cluster.api().leases(NS);
                    ResponderMapSampler.Sample s = maps.sample();
                    for (var e : ipOfLease.entrySet()) {
                        int holder = cluster.nodeNames().indexOf(h.getOrDefault(e.getKey(), "-"));
                        for (int k = 0; k < s.nodes().size(); k++) {
                            if (s.nodes().get(k).answering().get(e.getValue()) != (k == holder)) {
                                return false;
                            }
                        }
                    }
                    return true;
                });
    }

    /** IP ids whose Lease {@code node} holds. */
    private List<Integer> ipsOf(String node) {
        return cluster.api().leases(NS).entrySet().stream()
                .filter(e -> e.getValue().equals(node) && ipOfLease.containsKey(e.getKey()))
                .map(e -> ipOfLease.get(e.getKey())).sorted().toList();
    }

    private String mostLoaded() {
        Map<String, Long> count = cluster.api().leases(NS).entrySet().stream().filter(e -> ipOfLease.containsKey(e.getKey()))
                .collect(Collectors.groupingBy(Map.Entry::getValue, Collectors.counting()));
        return cluster.nodeNames().stream().max(Comparator.comparingLong(n -> count.getOrDefault(n, 0L))).orElseThrow();
    }

    private MacAddress macOf(String node) {
        return cluster.net().node(node).mac();
    }

    private long overlapSamples(long from, long to) {
        return maps.samples(from, to).stream().filter(s -> !ResponderMapSampler.overlap(s).isEmpty()).count();
    }

    static long now() {
        return ns(Instant.now());
    }

    static long ns(Instant i) {
        return i.getEpochSecond() * 1_000_000_000L + i.getNano();
    }

    static void settle(Duration d) {
        LockSupport.parkNanos(d.toNanos());
    }

    static void sleepUntil(long epochNanos) {
        long left = epochNanos - now();
        if (left > 0) {
            LockSupport.parkNanos(left);
        }
    }
}
