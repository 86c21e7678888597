package dev.l2announcer.demo;

import static dev.l2announcer.demo.HolderChecks.now;
import static dev.l2announcer.demo.HolderChecks.ns;
import static dev.l2announcer.demo.HolderChecks.settle;
import static dev.l2announcer.demo.HolderChecks.sleepUntil;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.l2announcer.config.LeaseTimings;
import dev.l2announcer.datapath.MacAddress;
import java.io.IOException;
import java.net.Inet4Address;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Function;
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

    private AgentCluster cluster;
    private ArpSampler client;
    private ResponderMapSampler maps;
    private HolderChecks view;
    private final List<Inet4Address> ips = new ArrayList<>();
    private final Map<String, Figures> figures = new LinkedHashMap<>();
    private final TimingSummary details = new TimingSummary();
    private final Random phase = new Random(14);
    private long runFrom;
    private Instant startedAt;

    /** One fault's figures over its trials. */
    private static final class Figures {
        final Duration target;
        final List<Duration> worstPerTrial = new ArrayList<>();
        final List<Duration> perIp = new ArrayList<>();
        Duration worst = Duration.ZERO;
        String worstIp = "";

        Figures(Duration target) {
            this.target = target;
        }
    }

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
        cluster.nodeNames().forEach(n -> HolderChecks.awaitReady(cluster, n));
        Map<String, Integer> ipOfLease = new HashMap<>();
        for (int i = 0; i < SERVICES; i++) {
            ips.add(NetnsCluster.ipv4(i < 250 ? "198.51.100." + (i + 1) : "203.0.113." + (i - 250 + 1)));
            ipOfLease.put("cilium-l2announce-default-" + name(i), i);
        }
        client = new ArpSampler(cluster.net().client().netns(), "eth0", NetnsCluster.ipv4(NetnsCluster.PROBER_IP), ips,
                cluster.net().nodes().stream().map(NetnsCluster.Member::mac).toList());
        client.start(TICK, FOCUS_PER_TICK, ALL_PER_TICK, Duration.ofHours(1).dividedBy(TICK));
        maps = new ResponderMapSampler(cluster.nodeNames().stream()
                .map(n -> new ResponderMapSampler.Node(n, cluster.pinDir(n), cluster.lanIfindex(n))).toList(),
                ips, Duration.ofMillis(100), Duration.ofHours(1).dividedBy(Duration.ofMillis(100)));
        view = new HolderChecks(cluster, maps, ipOfLease);
        runFrom = now();
        Instant created = Instant.now();
        for (int i = 0; i < SERVICES; i++) {
            cluster.api().service(Resources.service(name(i), ips.get(i).getHostAddress()));
            cluster.api().serviceLoadBalancerIp("default", name(i), ips.get(i).getHostAddress());
        }
        view.awaitSteady(Duration.ofSeconds(180));
        details.add(SERVICES + " Services created -> every IP answered by its Lease holder",
                Duration.between(created, Instant.now()), "informational");
    }

    static String name(int service) {
        return String.format("fast-%03d", service);
    }

    @AfterAll
    void down() throws IOException {
        try {
            if (client != null && !figures.isEmpty()) {
                HolderChecks.report(Path.of("target", "e2e-fast-failover-summary.md"), summary(), cluster);
            }
        } finally {
            HolderChecks.close(maps, client, cluster);
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
            HolderChecks.awaitReady(cluster, t.victim());
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
        faultThenUndo("SIGSTOP > lease, then SIGCONT", TARGET, v -> cluster.signal(v, "STOP"), v -> cluster.signal(v, "CONT"),
                T.leaseDuration().plusSeconds(1), MAX_AGE, "SIGSTOP: frozen holder's last answer after the signal");
    }

    /** A blackhole route to the API server on the holder: its beats fail, it fences, a follower claims and takes over. */
    @Test
    @Order(3)
    void holderCutFromTheApiServer() {
        faultThenUndo("holder cut from the API server", API_CUT_TARGET, v -> cluster.apiRoute(v, false),
                v -> cluster.apiRoute(v, true), Duration.ZERO, SILENT_WITHIN,
                "API cut: cut holder's last answer after the cut (fence: last beat + 2 I + max age)");
    }

    /**
     * Carrier loss on the holder's only interface (the LAN side of its veth set down): nobody hears it any more,
     * so there is no silence to check, and its API traffic shares that interface (cilium#35507: noticed only
     * through lease expiry there).
     */
    @Test
    @Order(4)
    void carrierLossOnTheHoldersInterface() {
        faultThenUndo("carrier loss on the holder's interface", TARGET, v -> cluster.carrier(v, false),
                v -> cluster.carrier(v, true), Duration.ZERO, null, null);
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
        assertThat(view.overlapSamples(runFrom, to)).as("map samples with two nodes answering one IP").isZero();
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
        view.awaitSteady(Duration.ofSeconds(90));
        String victim = view.mostLoaded();
        List<Integer> ids = view.ipsOf(victim);
        client.focus(ids.stream().map(ips::get).toList());
        settle(Duration.ofMillis(700 + phase.nextInt((int) TIMINGS.heartbeatInterval().toMillis())));
        return new Trial(victim, ids);
    }

    /**
     * {@link #TRIALS} times: the fault on the most loaded holder, its IPs taken over, the fault kept at least
     * {@code holdFor}, then undone; the node silent within {@code silentWithin} of the fault (null: unheard anyway),
     * and after the undo (its overdue timers, the beat that meets the claim, its first writes) answering and
     * announcing no IP it no longer holds.
     */
    private void faultThenUndo(String fault, Duration target, Function<String, Instant> inject,
                               Function<String, Instant> undo, Duration holdFor, Duration silentWithin, String silentRow) {
        SoftAssertions soft = new SoftAssertions();
        for (int k = 0; k < TRIALS; k++) {
            Trial t = begin();
            long t0 = ns(inject.apply(t.victim()));
            awaitTakeover(t);
            sleepUntil(t0 + holdFor.toNanos());
            long t1 = ns(undo.apply(t.victim()));
            settle(T.retryPeriod().plusSeconds(2));
            ArpSamples s = client.samples();
            if (silentWithin != null) {
                assertSilentBy(soft, fault, s, t, t0, t1, silentWithin, silentRow);
            }
            HolderChecks.Unheld after = view.unheld(s, t.victim(), t1, now());
            soft.assertThat(after.answered()).as(fault + ": IPs " + t.victim() + " answered afterwards without holding their Lease")
                    .isEmpty();
            soft.assertThat(after.gratuitous()).as(fault + ": gratuitous ARPs of " + t.victim() + " afterwards for IPs it does not hold")
                    .isEmpty();
            soft.assertThat(after.mapSamples()).as(fault + ": map samples of " + t.victim() + " afterwards answering IPs it does not hold")
                    .isZero();
            judge(soft, fault, s, t, t0, target);
            HolderChecks.awaitReady(cluster, t.victim());
        }
        soft.assertAll();
    }

    /** Until another node's map answers every IP of the trial, then a moment for the capture to catch up. */
    private ArpSamples awaitTakeover(Trial t) {
        view.awaitAnsweredByOthers(t.ids(), t.victim(), T.leaseDuration().plusSeconds(15));
        settle(Duration.ofMillis(500));
        return client.samples();
    }

    /** Per IP: from the fault to the first answer by another node (client kernel timestamp); recorded and bounded. */
    private void judge(SoftAssertions soft, String fault, ArpSamples s, Trial t, long t0, Duration target) {
        Set<MacAddress> others = cluster.nodeNames().stream().filter(n -> !n.equals(t.victim()))
                .map(n -> cluster.net().node(n).mac()).collect(Collectors.toSet());
        Figures f = figures.computeIfAbsent(fault, x -> new Figures(target));
        Duration worst = Duration.ZERO;
        Duration first = null;
        int worstId = -1;
        for (int id : t.ids()) {
            long answer = s.firstAnswerAfter(id, t0, others);
            soft.assertThat(answer).as(fault + ": " + ips.get(id).getHostAddress() + " answered by another node").isPositive();
            if (answer <= 0) {
                continue;
            }
            Duration d = Duration.ofNanos(answer - t0);
            f.perIp.add(d);
            first = first == null || d.compareTo(first) < 0 ? d : first;
            if (d.compareTo(worst) > 0) {
                worst = d;
                worstId = id;
            }
        }
        f.worstPerTrial.add(worst);
        if (worst.compareTo(f.worst) > 0) {
            f.worst = worst;
            f.worstIp = ips.get(worstId).getHostAddress() + " " + TimingSummary.ms(worst) + " (trial " + f.worstPerTrial.size()
                    + ", " + t.ids().size() + " IPs of " + t.victim() + ")";
        }
        if (first != null) {
            // Detection plus the first takeover write; the rest of the trial's time is the other takeovers.
            details.add(fault + ": first of the IPs answered by another node", first, "informational");
        }
        long to = now();
        Map<String, Long> successors = t.ids().stream().map(id -> s.answerers(id, to - 400_000_000L, to))
                .flatMap(Set::stream).collect(Collectors.groupingBy(cluster::nameOf, TreeMap::new, Collectors.counting()));
        cluster.mark(fault + ": " + t.ids().size() + " IPs of " + t.victim() + " now answered by " + successors
                + ", worst " + TimingSummary.ms(worst));
        soft.assertThat(worst).as(fault + ": every IP of " + t.victim() + " answered by another node within")
                .isLessThanOrEqualTo(BOUND);
    }

    /** The victim's last answer to a probe sent at or after {@code t0} came no later than {@code within}. */
    private void assertSilentBy(SoftAssertions soft, String fault, ArpSamples s, Trial t, long t0, long to,
                                Duration within, String row) {
        Duration last = HolderChecks.lastAnswerAfter(s, t.ids(), cluster.net().node(t.victim()).mac(), t0, to);
        details.add(row, last, "<= " + TimingSummary.ms(within));
        soft.assertThat(last).as(fault + ": " + t.victim() + " still answered after the fault")
                .isLessThanOrEqualTo(within.plus(STAMP_SLACK));
    }

    private String summary() {
        long to = now();
        StringBuilder b = new StringBuilder("l2-announcer fast failover at Cilium's default timings ("
                + Instant.now().toString().substring(0, 10) + ", " + Runtime.getRuntime().availableProcessors() + " cores, "
                + Duration.between(startedAt, Instant.now()).toSeconds() + " s): 3 agents, " + SERVICES + " Services, lease "
                + AgentCluster.seconds(T.leaseDuration()) + " / renew " + AgentCluster.seconds(T.renewDeadline()) + " / retry "
                + AgentCluster.seconds(T.retryPeriod()) + ", heartbeat " + AgentCluster.seconds(TIMINGS.heartbeatInterval())
                + ", liveness max age " + AgentCluster.seconds(MAX_AGE) + "; the client sent " + client.samples().probes(runFrom, to)
                + " probes, " + client.samples().duals(runFrom, to).size() + " answered by two MACs; "
                + maps.samples().size() + " map samples, " + view.overlapSamples(runFrom, to) + " with two nodes answering one IP.\n\n");
        b.append("| fault | trials | IPs per trial | fault -> every IP answered by another node: median / max over trials"
                + " | per IP: median / p99 / max | target | met |\n|---|---:|---:|---:|---:|---|---|\n");
        figures.forEach((fault, f) -> {
            List<Duration> all = f.perIp.stream().sorted().toList();
            Duration max = f.worstPerTrial.stream().max(Comparator.naturalOrder()).orElseThrow();
            b.append("| ").append(fault).append(" | ").append(f.worstPerTrial.size()).append(" | ")
                    .append(all.size() / f.worstPerTrial.size()).append(" | ")
                    .append(TimingSummary.ms(TimingSummary.median(f.worstPerTrial))).append(" / ").append(TimingSummary.ms(max))
                    .append(" | ").append(TimingSummary.ms(TimingSummary.median(all))).append(" / ")
                    .append(TimingSummary.ms(all.get((int) Math.ceil(all.size() * 0.99) - 1)))
                    .append(" / ").append(TimingSummary.ms(all.getLast())).append(" | <= ").append(TimingSummary.ms(f.target))
                    .append(" | ").append(max.compareTo(f.target) <= 0 ? "yes" : "**no** (worst " + f.worstIp + ")")
                    .append(" |\n");
        });
        return b + "\nDetails (per trial):\n\n" + details.table();
    }
}
