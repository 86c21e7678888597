package dev.l2announcer.election;

import static dev.l2announcer.election.ModelEvent.Kind.*;
import static org.assertj.core.api.Assertions.assertThat;

import dev.l2announcer.config.LeaseTimings;
import dev.l2announcer.election.AnswerMonitor.ModelViolation;
import dev.l2announcer.election.ElectionModel.Api;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.LongAdder;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Issue 14, "proof, not hope": the safety argument (README, Rules 1-5) checked exhaustively, on the real code, over a
 * bounded set of events. Each node is its real {@link LeaseElectionEngine} (heartbeats, claims, outage votes) and
 * its real {@link dev.l2announcer.datapath.ResponderReconciler} (map entries, liveness stamp, the engine's
 * {@code mayAnnounce} as its fence) on the in-memory Lease API ({@link ElectionModel}). For 2 and 3 nodes, 1 and 2
 * leases, every sequence of up to {@code depth} events from an alphabet (the clock advancing by steps chosen around
 * the timing rules, processes frozen / resumed / killed / stopped gracefully, a node's next request failing, its
 * requests refused or hanging, a node partitioned from the API, a watch falling behind, renewals answered late, the
 * API server down or frozen for everyone) is run from the same start (every lease held). In every reachable state,
 * at every instant, {@link AnswerMonitor} checks the invariant from what each kernel would answer (entry in the map
 * and stamp younger than the max age): never two nodes for one lease. Each path ends with the faults left as they
 * are for a lease duration and a renew deadline (safety), then every fault healed (kills and stops stay) for a
 * lease duration and a renew deadline more, after which every lease must be answered by a running node
 * (liveness). With the fast path, a path made only of an outage for all (and slow renewals) must not move or lose
 * any lease (Rule 5's stability claim, what the fault suite measures).
 *
 * <p>Depth-first with replay: the world is deterministic, so a branch point is restored by running its prefix again
 * on a fresh world. Two reductions: consecutive advances are taken in one order (exact: a then b is a + b, and the
 * monitor judges every instant in between either way); the instantaneous events of one instant are taken in
 * alphabet order, at most one per family and node (they only flip faults and queue tasks, which then run in that
 * order: other orders of same-instant tasks are not explored). What is not modelled: clock rate drift, the
 * outage agreement's HTTP (its answers are instantaneous, from the real {@code OutageAgreement.answer}), the announce
 * loop's thread hop between a leadership event and the reconciler, carrier loss, foreign Lease writers.
 */
class ElectionModelCheckTest {
    static final LeaseTimings DEFAULTS = new LeaseTimings(Duration.ofSeconds(15), Duration.ofSeconds(5),
            Duration.ofSeconds(2), LeaseTimings.DEFAULT_HEARTBEAT_INTERVAL);
    static final LeaseTimings SHORT = new LeaseTimings(Duration.ofSeconds(3), Duration.ofSeconds(1),
            Duration.ofMillis(200), LeaseTimings.DEFAULT_HEARTBEAT_INTERVAL);
    /** The lease model alone (Rule 2), as Cilium runs it: no node heartbeats. */
    static final LeaseTimings SHORT_NO_HEARTBEAT = new LeaseTimings(Duration.ofSeconds(3), Duration.ofSeconds(1),
            Duration.ofMillis(200));

    /** The engines and reconcilers log every stand-down and fence change; thousands of paths would drown the build log. Errors are findings. */
    static final Logger ELECTION_LOG = Logger.getLogger("dev.l2announcer");
    static final List<String> ERRORS = new java.util.concurrent.CopyOnWriteArrayList<>();
    static final ThreadLocal<List<ModelEvent>> CURRENT_PATH = new ThreadLocal<>();
    static Level savedLevel;
    static final Handler CAPTURE = new Handler() {
        @Override public void publish(LogRecord r) {
            if (r.getLevel().intValue() >= Level.SEVERE.intValue()) ERRORS.add(r.getMessage() + " on path " + CURRENT_PATH.get());
        }
        @Override public void flush() { }
        @Override public void close() { }
    };

    @BeforeAll
    static void quiet() {
        savedLevel = ELECTION_LOG.getLevel();
        ELECTION_LOG.setLevel(Level.SEVERE);
        ELECTION_LOG.addHandler(CAPTURE);
    }

    @AfterAll
    static void loud() {
        ELECTION_LOG.removeHandler(CAPTURE);
        ELECTION_LOG.setLevel(savedLevel);
    }

    /** One bounded exploration: the world's shape, the events, how deep. */
    record Scenario(String name, LeaseTimings timings, int nodes, int leases, int depth, List<ModelEvent> alphabet,
                    int maxTerminated) {}

    // ---------------------------------------------------------------- the scenarios

    /** Every fault of the alphabet, on both nodes: the fast path at Cilium's default timings. */
    @Test
    void twoNodesFastPath() {
        check(new Scenario("2 nodes, 1 lease, 15s/5s/2s + 200ms heartbeat", DEFAULTS, 2, 1, 4,
                alphabet(DEFAULTS, 2, List.of(FREEZE, RESUME, KILL, STOP, FAIL_NEXT, API_HANG, API_OK, PARTITION,
                        HEAL, WATCH_LATE, WATCH_CATCH_UP), API_DOWN_ALL, API_STALL_ALL), 1));
    }

    /**
     * Three nodes: a claim by one follower licenses the other (Rule 3 via the watch), an outage needs two
     * confirmations (Rule 5). Shallower: the alphabet is half as large again.
     */
    @Test
    void threeNodesFastPath() {
        check(new Scenario("3 nodes, 1 lease, 15s/5s/2s + 200ms heartbeat", DEFAULTS, 3, 1, 3,
                alphabet(DEFAULTS, 3, List.of(FREEZE, RESUME, KILL, FAIL_NEXT, API_HANG, API_OK, PARTITION, HEAL,
                        WATCH_LATE, WATCH_CATCH_UP), API_DOWN_ALL, API_STALL_ALL), 1));
    }

    /** Two leases on two nodes: one node's reconciler answers for one lease while the other is stale (per-lease withdrawal). */
    @Test
    void twoNodesTwoLeasesFastPath() {
        check(new Scenario("2 nodes, 2 leases, 3s/1s/200ms + 200ms heartbeat", SHORT, 2, 2, 3,
                alphabet(SHORT, 2, List.of(FREEZE, RESUME, KILL, STOP, FAIL_NEXT, API_FAIL, API_HANG, API_OK, PARTITION, HEAL,
                        WATCH_LATE, WATCH_CATCH_UP), API_DOWN_ALL, API_STALL_ALL), 1));
    }

    /**
     * Rule 5 at length: the API down or frozen for both nodes for up to a lease duration and more (steps of a
     * renew deadline and a lease duration), renewals slow when it returns, a process frozen or killed on the way.
     */
    @Test
    void twoNodesLongApiOutage() {
        List<ModelEvent> a = new ArrayList<>(List.of(ModelEvent.advance(DEFAULTS.heartbeatInterval().multipliedBy(5).dividedBy(4)),
                ModelEvent.advance(DEFAULTS.renewDeadline()), ModelEvent.advance(DEFAULTS.leaseDuration())));
        for (int n = 0; n < 2; n++) for (ModelEvent.Kind k : List.of(FREEZE, RESUME, KILL, SLOW_RENEWALS)) a.add(ModelEvent.on(k, n));
        a.addAll(List.of(ModelEvent.all(API_DOWN_ALL), ModelEvent.all(API_STALL_ALL), ModelEvent.all(API_STALL_ALL_DROPPING),
                ModelEvent.all(API_UP_ALL)));
        check(new Scenario("2 nodes, 1 lease, 15s/5s/2s + 200ms heartbeat, long API outage for all", DEFAULTS, 2, 1, 4, a, 1));
    }

    /** The lease model alone (Rules 1, 2, 4), as with the fast path switched off. */
    @Test
    void twoNodesLeaseModelOnly() {
        check(new Scenario("2 nodes, 1 lease, 3s/1s/200ms, no heartbeat", SHORT_NO_HEARTBEAT, 2, 1, 4,
                alphabet(SHORT_NO_HEARTBEAT, 2, List.of(FREEZE, RESUME, KILL, STOP, FAIL_NEXT, API_HANG, API_OK, PARTITION,
                        HEAL, WATCH_LATE, WATCH_CATCH_UP), API_DOWN_ALL), 1));
    }

    // ---------------------------------------------------------------- the explorer

    /** Advances around the rules' constants, then the per-node events for every node, then the global ones. */
    static List<ModelEvent> alphabet(LeaseTimings t, int nodes, List<ModelEvent.Kind> perNode, ModelEvent.Kind... global) {
        List<ModelEvent> a = new ArrayList<>();
        if (t.fastFailover()) {
            // Inside the fence (2 I) and past the liveness max age; past the heartbeat expiry (3.5 I) and a claim;
            // a renew deadline (the quarantine, a licence, a lapsed renew).
            a.add(ModelEvent.advance(t.heartbeatInterval().multipliedBy(5).dividedBy(4)));
            a.add(ModelEvent.advance(t.heartbeatExpiry().plus(t.heartbeatInterval())));
            a.add(ModelEvent.advance(t.renewDeadline()));
        } else {
            a.add(ModelEvent.advance(t.retryPeriod().multipliedBy(3).dividedBy(2)));
            a.add(ModelEvent.advance(t.renewDeadline()));
            a.add(ModelEvent.advance(t.leaseDuration()));
        }
        for (int n = 0; n < nodes; n++) for (ModelEvent.Kind k : perNode) a.add(ModelEvent.on(k, n));
        for (ModelEvent.Kind k : global) a.add(ModelEvent.all(k));
        if (global.length > 0) a.add(ModelEvent.all(API_UP_ALL));
        return a;
    }

    void check(Scenario sc) {
        Explorer x = new Explorer(sc);
        long start = System.nanoTime();
        x.run();
        long ms = (System.nanoTime() - start) / 1_000_000;
        System.out.printf("MODELCHECK %s: nodes=%d leases=%d depth=%d alphabet=%d paths=%d states=%d"
                        + " (paths with a lease changing hands %d, with a confirmed outage round %d) in %d ms%n",
                sc.name(), sc.nodes(), sc.leases(), sc.depth(), sc.alphabet().size(), x.paths.sum(), x.states.sum(),
                x.takeoverPaths.sum(), x.outagePaths.sum(), ms);
        Finding f = x.finding.get();
        if (f != null) {
            String trace = x.describe(x.minimise(f));
            System.out.println("MODELCHECK " + sc.name() + " VIOLATION\n" + trace);
            throw new AssertionError(f.kind + " in " + sc.name() + "\n" + trace);
        }
        assertThat(ERRORS).as("errors logged by the engines").isEmpty();
        assertThat(x.paths.sum()).isPositive();
        assertThat(x.takeoverPaths.sum()).as("paths on which a lease changed hands").isPositive();
        if (sc.timings().fastFailover()) assertThat(x.outagePaths.sum()).as("paths with a confirmed outage round").isPositive();
    }

    record Finding(String kind, List<ModelEvent> path, String message) {}

    static final class Explorer {
        final Scenario sc;
        final LongAdder paths = new LongAdder();
        final LongAdder states = new LongAdder();
        final LongAdder takeoverPaths = new LongAdder();
        final LongAdder outagePaths = new LongAdder();
        final AtomicReference<Finding> finding = new AtomicReference<>();

        Explorer(Scenario sc) {
            this.sc = sc;
        }

        void run() {
            // The first two levels are dealt out to two workers (the machine has two cores); below, depth first.
            List<List<ModelEvent>> roots = new ArrayList<>();
            ElectionModel initial = replay(List.of());
            for (ModelEvent e1 : enabled(initial, List.of())) {
                List<ModelEvent> p1 = List.of(e1);
                states.increment();
                ElectionModel w1 = replay(p1);
                if (finding.get() != null) return;
                if (sc.depth() == 1) {
                    roots.add(p1);
                    continue;
                }
                for (ModelEvent e2 : enabled(w1, p1)) roots.add(List.of(e1, e2));
            }
            try (ForkJoinPool pool = new ForkJoinPool(2)) {
                pool.submit(() -> roots.parallelStream().forEach(p -> {
                    if (finding.get() != null) return;
                    states.increment();
                    ElectionModel w = replay(p);
                    if (w != null) explore(w, p);
                })).join();
            }
        }

        /** A fresh world with {@code path} applied; null (and the finding recorded) if that breaks the invariant. */
        ElectionModel replay(List<ModelEvent> path) {
            CURRENT_PATH.set(path);
            try {
                return world(path);
            } catch (ModelViolation v) {
                finding.compareAndSet(null, new Finding("safety violation", path, v.getMessage()));
                return null;
            }
        }

        void explore(ElectionModel w, List<ModelEvent> path) {
            if (finding.get() != null) return;
            if (path.size() >= sc.depth()) {
                String problem = finish(w, path);
                if (problem != null) finding.compareAndSet(null, new Finding(problem.startsWith("liveness") ? "liveness failure"
                        : problem.startsWith("stability") ? "stability failure" : "safety violation", path, problem));
                paths.increment();
                if (w.handoffs > 0) takeoverPaths.increment();
                if (w.confirmedRounds > 0) outagePaths.increment();
                return;
            }
            boolean first = true;
            for (ModelEvent e : enabled(w, path)) {
                ElectionModel x = first ? w : replay(path);
                first = false;
                List<ModelEvent> next = new ArrayList<>(path);
                next.add(e);
                CURRENT_PATH.set(next);
                try {
                    x.apply(e);
                } catch (ModelViolation v) {
                    finding.compareAndSet(null, new Finding("safety violation", next, v.getMessage()));
                    return;
                }
                states.increment();
                explore(x, next);
            }
        }

        /**
         * The end of a path: the faults stay for a lease duration and a renew deadline (whatever they set in motion
         * runs out under the monitor), then everything heals except kills and stops, and after a lease duration and
         * a renew deadline every lease must be answered by a node still running. Null when both hold.
         */
        String finish(ElectionModel w, List<ModelEvent> path) {
            LeaseTimings t = sc.timings();
            try {
                w.advance(t.leaseDuration().plus(t.renewDeadline()));
                w.healAll();
                w.advance(t.leaseDuration().plus(t.renewDeadline()));
            } catch (ModelViolation v) {
                return v.getMessage();
            }
            long now = w.time.nanoTime();
            for (String lease : w.leases.keySet()) {
                boolean answered = w.nodes.stream().anyMatch(n -> n.running() && n.kernelAnswers(lease, now));
                if (!answered) {
                    StringBuilder who = new StringBuilder();
                    for (ElectionModel.Node n : w.nodes) who.append(' ').append(n.name).append(n.killed() ? "(killed)" : n.stopped ? "(stopped)" : "").append(" holds ").append(n.engine.held());
                    return "liveness: nobody answers " + lease + " after the faults healed;" + who + ", API says " + w.api.lease(lease);
                }
            }
            if (t.fastFailover() && w.handoffs > 0 && path.stream().allMatch(e -> OUTAGE_ONLY.contains(e.kind()))) {
                return "stability: " + w.handoffs + " acquisitions after an API outage for every node and slow renewals alone"
                        + " (Rule 5: no lease may be lost or change hands); API says " + w.api.lease(w.leases.keySet().iterator().next());
            }
            return null;
        }

        /** A path of these events only is an outage for all that every candidate confirms: nothing may move (Rule 5). */
        static final java.util.Set<ModelEvent.Kind> OUTAGE_ONLY = java.util.EnumSet.of(ADVANCE, API_DOWN_ALL, API_STALL_ALL,
                API_STALL_ALL_DROPPING, API_UP_ALL, SLOW_RENEWALS);

        /** The events that may come next, after the two reductions (see the class comment). */
        List<ModelEvent> enabled(ElectionModel w, List<ModelEvent> path) {
            List<ModelEvent> out = new ArrayList<>();
            List<ModelEvent> alphabet = sc.alphabet();
            ModelEvent last = path.isEmpty() ? null : path.getLast();
            int lastIndex = last == null ? -1 : alphabet.indexOf(last);
            int terminated = (int) w.nodes.stream().filter(n -> n.killed() || n.stopped).count();
            for (int i = 0; i < alphabet.size(); i++) {
                ModelEvent e = alphabet.get(i);
                boolean instant = e.kind() != ADVANCE;
                if (last != null && (last.kind() == ADVANCE) == !instant && (instant ? i <= lastIndex : i < lastIndex)) {
                    continue; // one order for what commutes
                }
                if (instant && sameInstantFamily(path, e)) continue;
                if (possible(w, e, terminated)) out.add(e);
            }
            return out;
        }

        /** Whether an event of e's family on e's node already happened at this instant (since the last advance). */
        private static boolean sameInstantFamily(List<ModelEvent> path, ModelEvent e) {
            for (int i = path.size() - 1; i >= 0 && path.get(i).kind() != ADVANCE; i--) {
                ModelEvent p = path.get(i);
                if (p.node() == e.node() && p.kind().family == e.kind().family) return true;
            }
            return false;
        }

        private boolean possible(ElectionModel w, ModelEvent e, int terminated) {
            if (e.kind() == ADVANCE) return true;
            if (e.kind() == API_DOWN_ALL || e.kind() == API_STALL_ALL || e.kind() == API_STALL_ALL_DROPPING) {
                return w.global == ElectionModel.Global.NONE && w.nodes.stream().allMatch(n -> n.apiState == Api.OK && !n.watchLate);
            }
            if (e.kind() == API_UP_ALL) return w.global != ElectionModel.Global.NONE;
            ElectionModel.Node n = w.nodes.get(e.node());
            boolean running = !n.killed() && !n.stopped;
            boolean apiOk = n.apiState == Api.OK && w.global == ElectionModel.Global.NONE;
            return switch (e.kind()) {
                case FREEZE -> running && !n.frozen();
                case RESUME -> running && n.frozen();
                case KILL, STOP -> running && terminated < sc.maxTerminated();
                case FAIL_NEXT, API_FAIL, API_HANG -> running && apiOk;
                case API_OK -> n.apiState == Api.FAIL || n.apiState == Api.HANG;
                case PARTITION -> running && apiOk && !n.watchLate;
                case HEAL -> n.apiState == Api.PARTITIONED;
                case SLOW_RENEWALS -> running && !n.slowRenewals;
                case WATCH_LATE -> running && !n.watchLate && n.apiState != Api.PARTITIONED && w.global == ElectionModel.Global.NONE;
                case WATCH_CATCH_UP -> n.watchLate;
                default -> false;
            };
        }

        /** Whether {@code path} (with the end of a path) still fails. */
        boolean fails(List<ModelEvent> path) {
            try {
                return finish(world(path), path) != null;
            } catch (ModelViolation v) {
                return true;
            }
        }

        /** A fresh world with {@code path} applied; throws at the first instant the invariant breaks. */
        private ElectionModel world(List<ModelEvent> path) {
            ElectionModel w = new ElectionModel(sc.timings(), sc.nodes(), sc.leases());
            w.settle();
            for (ModelEvent e : path) w.apply(e);
            return w;
        }

        /** Drops events one at a time while the path still fails: the trace a human reads. */
        Finding minimise(Finding f) {
            List<ModelEvent> path = new ArrayList<>(f.path());
            boolean shorter = true;
            while (shorter) {
                shorter = false;
                for (int i = 0; i < path.size(); i++) {
                    List<ModelEvent> without = new ArrayList<>(path);
                    without.remove(i);
                    if (fails(without)) {
                        path = without;
                        shorter = true;
                        break;
                    }
                }
            }
            return new Finding(f.kind(), path, failure(path));
        }

        private String failure(List<ModelEvent> path) {
            ElectionModel w = new ElectionModel(sc.timings(), sc.nodes(), sc.leases());
            try {
                w.settle();
                for (ModelEvent e : path) w.apply(e);
            } catch (ModelViolation v) {
                return v.getMessage();
            }
            return finish(w, path);
        }

        /** The path with the instant of each event (seconds since the world started; every lease held from settle). */
        String describe(Finding f) {
            StringBuilder b = new StringBuilder();
            ElectionModel w = new ElectionModel(sc.timings(), sc.nodes(), sc.leases());
            try {
                w.settle();
                b.append(String.format("  at %.3fs: settled, holders %s%n", (w.time.nanoTime() - w.startNanos) / 1e9, holders(w)));
                for (ModelEvent e : f.path()) {
                    b.append(String.format("  at %.3fs: %s%n", (w.time.nanoTime() - w.startNanos) / 1e9, e));
                    w.apply(e);
                }
                b.append(String.format("  at %.3fs: end of path, holders %s; then the faults stay %s, heal, and %s pass%n",
                        (w.time.nanoTime() - w.startNanos) / 1e9, holders(w),
                        sc.timings().leaseDuration().plus(sc.timings().renewDeadline()),
                        sc.timings().leaseDuration().plus(sc.timings().renewDeadline())));
            } catch (ModelViolation v) {
                // reported below
            }
            return b.append("  ").append(f.message()).toString();
        }

        private static String holders(ElectionModel w) {
            StringBuilder b = new StringBuilder();
            for (String l : w.leases.keySet()) {
                LeaseRecord r = w.api.lease(l);
                b.append(l.substring(l.lastIndexOf('-') + 1)).append('=').append(r == null ? "-" : r.holder()).append(' ');
            }
            return b.toString().trim();
        }
    }
}
