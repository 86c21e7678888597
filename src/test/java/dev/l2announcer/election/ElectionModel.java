package dev.l2announcer.election;

import dev.l2announcer.config.LeaseTimings;
import dev.l2announcer.datapath.Device;
import dev.l2announcer.datapath.LocalAnnouncement;
import dev.l2announcer.datapath.MacAddress;
import dev.l2announcer.datapath.ResponderEntry;
import dev.l2announcer.datapath.ResponderReconciler;
import dev.l2announcer.datapath.fake.FakeDevices;
import dev.l2announcer.datapath.fake.FakeNeighbourAnnouncer;
import dev.l2announcer.datapath.fake.FakeResponderMap;
import dev.l2announcer.election.InMemoryLeaseApi.Fault;
import dev.l2announcer.health.OutageAgreement;
import dev.l2announcer.time.ManualScheduler;
import dev.l2announcer.time.TaskScheduler;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * One replayable world for {@link ElectionModelCheckTest}: N agent processes on one {@link ManualScheduler} over one
 * {@link InMemoryLeaseApi}. Each process is its real {@link LeaseElectionEngine} (node heartbeats, claims, outage
 * votes) and its real {@link ResponderReconciler} (the map entries and the liveness stamp, asking the engine's
 * {@link LeaseElectionEngine#mayAnnounce} as the agent's {@code LeaseFence} does), both behind the process's own
 * {@link NodeScheduler} (so one process can be frozen or killed while time runs on), plus the outage agreement's
 * rounds (Rule 5). Only the kernel is a fake: an in-memory map and {@link KernelStamp}. {@link AnswerMonitor}
 * judges, from those two, which node's kernel answers which lease at every instant. Faults are set by
 * {@link ModelEvent}s; the world remembers the fault state so the explorer knows which events are enabled.
 *
 * <p>Deterministic: the same events from a fresh world give the same run, which is how the explorer backtracks.
 */
final class ElectionModel {
    /** What a node's API connection currently does. */
    enum Api { OK, FAIL, HANG, PARTITIONED }

    final LeaseTimings timings;
    final ManualScheduler time = new ManualScheduler();
    final long startNanos = time.nanoTime();
    final InMemoryLeaseApi api;
    final List<Node> nodes = new ArrayList<>();
    final Map<String, SortedSet<String>> leases = new TreeMap<>();
    final AnswerMonitor monitor;
    /** An outage for every node: none, the API server down (refused), or frozen (hanging). */
    enum Global { NONE, DOWN, STALLED }
    Global global = Global.NONE;
    /** Outage rounds every candidate confirmed (Rule 5 exercised), and takeovers (a lease changed hands). */
    int confirmedRounds;
    int handoffs;

    /** One agent process: its engine, its datapath, the threads they run on, and the faults set on it. */
    final class Node {
        final int index;
        final String name;
        final InMemoryLeaseApi.Connection connection;
        final NodeScheduler scheduler;
        final LeaseElectionEngine engine;
        final FakeResponderMap map = new FakeResponderMap();
        final KernelStamp kernel;
        final ResponderReconciler reconciler;
        Api apiState = Api.OK;
        boolean watchLate;
        boolean slowRenewals;
        /** Stopped gracefully: withdrew its map entries (it answers nothing from then on), then released. */
        boolean stopped;

        Node(int index, String name) {
            this.index = index;
            this.name = name;
            connection = api.connect(name);
            scheduler = new NodeScheduler(time);
            engine = new LeaseElectionEngine(connection, name, timings, ElectionOptions.defaults(timings), scheduler, time,
                    time.wallClock(), new SimpleMeterRegistry(), l -> Map.of(), () -> {});
            kernel = new KernelStamp(time, timings.livenessMaxAge().toNanos());
            // AgentRuntime's fence is election()::mayAnnounce; the announce loop hands the held leases to the
            // reconciler on every leadership event (here without the loop's own thread hop).
            reconciler = new ResponderReconciler(map, kernel, new FakeDevices(List.of(ETH0)), new FakeNeighbourAnnouncer(),
                    scheduler, time, 3, Duration.ofMillis(100), timings.livenessRefreshInterval(), engine::mayAnnounce,
                    new ResponderReconciler.Listener() { });
            engine.subscribe(e -> {
                if (e instanceof LeadershipEvent.Acquired) handoffs++;
                if (!stopped) reconciler.desire(announcements(engine.held()));
            });
        }

        /** Whether this node's kernel answers {@code lease} at {@code nanos}: its entry is in the map and the stamp young. */
        boolean kernelAnswers(String lease, long nanos) {
            return map.list().containsKey(new ResponderEntry(ipOf(lease), ETH0.ifindex())) && kernel.answersAt(nanos);
        }

        boolean killed() {
            return scheduler.killed();
        }

        boolean frozen() {
            return scheduler.frozen();
        }

        /** Whether this process runs (answers its peers' outage questions, refreshes its stamp). */
        boolean running() {
            return !scheduler.killed() && !scheduler.frozen() && !stopped;
        }

        /** What the fault state says this node's connection does (an outage for all overrides it). */
        Fault fault() {
            if (global == Global.DOWN) return Fault.DOWN;
            if (global == Global.STALLED) return Fault.HOLD;
            return switch (apiState) {
                case OK -> Fault.NONE;
                case FAIL -> Fault.DOWN;
                case HANG -> Fault.HOLD;
                case PARTITIONED -> Fault.BLACKHOLE;
            };
        }
    }

    /** How late {@link ModelEvent.Kind#SLOW_RENEWALS} answers: 7.5 heartbeat intervals, as FastFailoverTransitionTest. */
    static final Duration SLOW_WRITES = Duration.ofMillis(1500);
    static final Device ETH0 = new Device(2, "eth0", new MacAddress(0x0200_0000_0002L), true, false, "up", "", 0);
    private final Map<String, InetAddress> ips = new TreeMap<>();

    ElectionModel(LeaseTimings timings, int nodeCount, int leaseCount) {
        this.timings = timings;
        this.api = new InMemoryLeaseApi(time, timings.requestTimeout());
        TreeSet<String> candidates = new TreeSet<>();
        for (int i = 0; i < nodeCount; i++) candidates.add("n" + (i + 1));
        for (int i = 0; i < leaseCount; i++) {
            String lease = String.format("cilium-l2announce-default-svc-%d", i);
            leases.put(lease, candidates);
            try {
                ips.put(lease, InetAddress.getByAddress(new byte[] {(byte) 192, 0, 2, (byte) (10 + i)}));
            } catch (UnknownHostException e) {
                throw new IllegalStateException(e);
            }
        }
        for (int i = 0; i < nodeCount; i++) nodes.add(new Node(i, "n" + (i + 1)));
        monitor = new AnswerMonitor(this);
        time.beforeEachTask(monitor::observe);
        for (Node n : nodes) {
            n.reconciler.start();
            n.engine.start();
            n.engine.campaign(leases);
            if (timings.fastFailover()) outageRounds(n);
        }
    }

    InetAddress ipOf(String lease) {
        return ips.get(lease);
    }

    /** What the announce loop desires for the leases a node holds: each lease's IP on eth0. */
    Set<LocalAnnouncement> announcements(Set<String> held) {
        Set<LocalAnnouncement> out = new TreeSet<>();
        for (String lease : held) if (ips.containsKey(lease)) out.add(new LocalAnnouncement(ips.get(lease), ETH0.name(), lease));
        return out;
    }

    /**
     * OutageAgreement's loop on node {@code n} (a thread of its process: frozen and killed with it), every half
     * interval: in doubt about the API, it asks every candidate of its leases; a peer answers with the real
     * {@link OutageAgreement#answer} (which makes its promise) only if its process runs; all confirm: the round is
     * confirmed from its start. The same steps as {@link OutageAgreement#round()}, without the HTTP (its prober is a
     * final socket class; the answers are instantaneous here, which is one of the real interleavings).
     */
    private void outageRounds(Node n) {
        Duration half = timings.heartbeatInterval().dividedBy(2);
        n.scheduler.schedule(new Runnable() {
            @Override public void run() {
                OutageVotes votes = n.engine.outageVotes();
                if (votes.apiInDoubt()) {
                    var peers = votes.peersOfHeldLeases();
                    long start = time.nanoTime();
                    boolean all = !peers.isEmpty() && peers.stream().allMatch(p -> {
                        Node peer = byName(p);
                        return peer != null && peer.running()
                                && OutageAgreement.answer(peer.engine.outageVotes(), peer.name, n.name).equals(peer.name + " api-unreachable");
                    });
                    if (all) {
                        votes.roundConfirmed(start);
                        confirmedRounds++;
                    }
                }
                n.scheduler.schedule(this, half);
            }
        }, half);
    }

    Node byName(String name) {
        for (Node n : nodes) if (n.name.equals(name)) return n;
        return null;
    }

    /** Every lease held (the start of every explored path); the counters start from here. */
    void settle() {
        advance(Duration.ofSeconds(1).plus(timings.retryPeriod()));
        confirmedRounds = 0;
        handoffs = 0;
    }

    void advance(Duration d) {
        time.advance(d);
    }

    void applyFaults(Node n) {
        n.connection.fault(n.fault());
    }

    /** Sets every fault back to healthy (kills and graceful stops stay): the start of the liveness check. */
    void healAll() {
        if (global != Global.NONE) apply(new ModelEvent(ModelEvent.Kind.API_UP_ALL, -1, null));
        for (Node n : nodes) {
            if (n.frozen()) apply(new ModelEvent(ModelEvent.Kind.RESUME, n.index, null));
            if (n.apiState == Api.FAIL || n.apiState == Api.HANG) apply(new ModelEvent(ModelEvent.Kind.API_OK, n.index, null));
            if (n.apiState == Api.PARTITIONED) apply(new ModelEvent(ModelEvent.Kind.HEAL, n.index, null));
            if (n.watchLate) apply(new ModelEvent(ModelEvent.Kind.WATCH_CATCH_UP, n.index, null));
            if (n.slowRenewals) {
                n.slowRenewals = false;
                n.connection.slowServiceLeaseWrites(Duration.ZERO);
            }
        }
    }

    /** Carries out one event. Instantaneous ones only flip faults and queue tasks: nothing runs until time moves. */
    void apply(ModelEvent e) {
        Node n = e.node() < 0 ? null : nodes.get(e.node());
        switch (e.kind()) {
            case ADVANCE -> advance(e.step());
            case FREEZE -> n.scheduler.freeze();
            case RESUME -> n.scheduler.resume();
            case KILL -> n.scheduler.kill();
            case STOP -> {
                // AgentRuntime.stop: withdraw the map entries first (the datapath confirms), then hand every lease
                // over (Rule 4), then stop.
                n.stopped = true;
                n.reconciler.desire(Set.of());
                n.scheduler.execute(() -> n.engine.release().thenRun(() -> {
                    n.engine.abandon();
                    n.reconciler.close();
                }));
            }
            case FAIL_NEXT -> n.connection.failNext();
            case API_FAIL -> {
                n.apiState = Api.FAIL;
                applyFaults(n);
            }
            case API_HANG -> {
                n.apiState = Api.HANG;
                applyFaults(n);
            }
            case API_OK -> {
                n.apiState = Api.OK;
                applyFaults(n);
                n.connection.releaseHeld();
            }
            case PARTITION -> {
                // Cut both ways, and the watch does not know it yet: connected, delivering nothing.
                n.apiState = Api.PARTITIONED;
                applyFaults(n);
                n.connection.stallWatch();
            }
            case HEAL -> {
                n.apiState = Api.OK;
                applyFaults(n);
                if (!n.watchLate) n.connection.resumeWatch();
            }
            case SLOW_RENEWALS -> {
                n.slowRenewals = true;
                n.connection.slowServiceLeaseWrites(SLOW_WRITES);
            }
            case WATCH_LATE -> {
                n.watchLate = true;
                n.connection.stallWatch();
            }
            case WATCH_CATCH_UP -> {
                n.watchLate = false;
                if (n.apiState != Api.PARTITIONED) n.connection.resumeWatch();
            }
            case API_DOWN_ALL -> {
                global = Global.DOWN;
                for (Node m : nodes) {
                    applyFaults(m);
                    m.connection.cutWatch();
                }
            }
            case API_STALL_ALL, API_STALL_ALL_DROPPING -> {
                global = Global.STALLED;
                api.applyTimedOutHeld(e.kind() == ModelEvent.Kind.API_STALL_ALL);
                for (Node m : nodes) {
                    applyFaults(m);
                    m.connection.stallWatch();
                }
            }
            case API_UP_ALL -> {
                Global was = global;
                global = Global.NONE;
                for (Node m : nodes) {
                    applyFaults(m);
                    if (was == Global.DOWN) {
                        m.connection.restoreWatch();
                    } else {
                        m.connection.releaseHeld();
                        if (!m.watchLate && m.apiState != Api.PARTITIONED) m.connection.resumeWatch();
                    }
                }
            }
        }
    }

    /**
     * A process's one election thread over the shared manual time. Frozen (SIGSTOP): tasks that fall due are kept,
     * in due order, and all run at once on {@link #resume()}, while the monotonic clock ran on. Killed: nothing of
     * this process runs again.
     */
    static final class NodeScheduler implements TaskScheduler {
        private final ManualScheduler time;
        private final List<Runnable> overdue = new ArrayList<>();
        private boolean frozen;
        private boolean killed;

        NodeScheduler(ManualScheduler time) {
            this.time = time;
        }

        boolean frozen() {
            return frozen;
        }

        boolean killed() {
            return killed;
        }

        void freeze() {
            frozen = true;
        }

        void resume() {
            frozen = false;
            List<Runnable> due = List.copyOf(overdue);
            overdue.clear();
            due.forEach(time::execute);
        }

        void kill() {
            killed = true;
            overdue.clear();
        }

        @Override
        public void execute(Runnable task) {
            time.execute(() -> runOrKeep(task));
        }

        @Override
        public Cancellable schedule(Runnable task, Duration delay) {
            boolean[] cancelled = {false};
            Runnable guarded = () -> {
                if (!cancelled[0]) task.run();
            };
            Cancellable inner = time.schedule(() -> runOrKeep(guarded), delay);
            return () -> {
                cancelled[0] = true;
                inner.cancel();
            };
        }

        private void runOrKeep(Runnable task) {
            if (killed) return;
            if (frozen) overdue.add(task);
            else task.run();
        }
    }
}
