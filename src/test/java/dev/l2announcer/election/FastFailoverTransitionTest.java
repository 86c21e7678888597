package dev.l2announcer.election;

import static org.assertj.core.api.Assertions.assertThat;

import dev.l2announcer.config.LeaseTimings;
import dev.l2announcer.election.InMemoryLeaseApi.Fault;
import dev.l2announcer.time.ManualScheduler;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/**
 * The fast path (node heartbeats) at Cilium's default lease timings 15s/5s/2s, on the in-memory API and one manual
 * scheduler: synchronous and exact. The invariant checked after every step is the datapath's: no two nodes may
 * answer ({@link LeaseElectionEngine#mayAnnounce}) for one lease at any instant, and a node that takes a lease over
 * does so only when the previous holder has been silent for at least the liveness max age.
 */
class FastFailoverTransitionTest {
    static final LeaseTimings T = new LeaseTimings(Duration.ofSeconds(15), Duration.ofSeconds(5), Duration.ofSeconds(2),
            LeaseTimings.DEFAULT_HEARTBEAT_INTERVAL);
    static final Duration STEP = Duration.ofMillis(10);

    final ManualScheduler time = new ManualScheduler();
    final InMemoryLeaseApi api = new InMemoryLeaseApi(time, T.requestTimeout());
    final Map<String, Node> nodes = new TreeMap<>();
    /** lease -> (node -> last instant it could answer) */
    final Map<String, Map<String, Long>> lastAnswering = new HashMap<>();

    final class Node {
        final String name;
        final InMemoryLeaseApi.Connection connection;
        final LeaseElectionEngine engine;
        final List<LeadershipEvent> events = new ArrayList<>();
        final Map<String, Long> eventAt = new HashMap<>();
        boolean dead;

        Node(String name) {
            this.name = name;
            connection = api.connect(name);
            engine = new LeaseElectionEngine(connection, name, T, LeaseElectionEngine.Options.defaults(T), time, time,
                    time.wallClock(), new SimpleMeterRegistry(), l -> Map.of(), () -> {}).start();
            engine.subscribe(e -> {
                events.add(e);
                eventAt.put(e.getClass().getSimpleName() + ":" + e.leaseName(), time.nanoTime());
            });
        }
    }

    List<Node> start(String... names) {
        List<Node> out = new ArrayList<>();
        for (String n : names) {
            Node node = new Node(n);
            nodes.put(n, node);
            out.add(node);
        }
        step();
        return out;
    }

    static Map<String, SortedSet<String>> leases(int count, String... candidates) {
        Map<String, SortedSet<String>> m = new TreeMap<>();
        for (int i = 0; i < count; i++) m.put(String.format("cilium-l2announce-default-svc-%03d", i), new TreeSet<>(Set.of(candidates)));
        return m;
    }

    void campaignAll(Map<String, SortedSet<String>> leases) {
        for (Node n : nodes.values()) if (!n.dead) n.engine.campaign(leases);
    }

    /** Advances one step and checks the datapath invariant for every lease. */
    void step() {
        time.advance(STEP);
        long now = time.nanoTime();
        Set<String> leases = new TreeSet<>(api.leases().keySet());
        for (String lease : leases) {
            if (NodeHeartbeats.isHeartbeat(lease)) continue;
            List<String> answering = new ArrayList<>();
            for (Node n : nodes.values()) {
                if (n.engine.mayAnnounce(lease, now)) {
                    answering.add(n.name);
                    lastAnswering.computeIfAbsent(lease, k -> new HashMap<>()).put(n.name, now);
                }
            }
            assertThat(answering).as("nodes answering for %s at %d", lease, now).hasSizeLessThanOrEqualTo(1);
            // A new answerer: every other node must have been silent for a whole max age (their program's own).
            if (answering.size() == 1) {
                lastAnswering.getOrDefault(lease, Map.of()).forEach((other, at) -> {
                    if (!other.equals(answering.getFirst()) && at >= now - T.livenessMaxAge().toNanos() - STEP.toNanos()) {
                        // still within the other's max age: only allowed if it is the same continuous holder
                        assertThat(at).as("%s answered %s until %d, %s answers at %d", other, lease, at, answering.getFirst(), now)
                                .isLessThan(now - T.livenessMaxAge().toNanos());
                    }
                });
            }
        }
    }

    void run(Duration d) {
        for (long i = 0; i < d.dividedBy(STEP); i++) step();
    }

    String holderOf(String lease) {
        return api.lease(lease).holder();
    }

    @Test
    void killedHolderIsReplacedWithinTheHeartbeatExpiryNotTheLeaseDuration() {
        start("n1", "n2", "n3");
        var six = leases(6, "n1", "n2", "n3");
        campaignAll(six);
        run(Duration.ofSeconds(1));
        Node victim = nodes.get(holderOf(six.keySet().iterator().next()));
        Set<String> its = victim.engine.held();
        victim.dead = true;
        victim.engine.abandon();
        long killedAt = time.nanoTime();
        run(Duration.ofSeconds(2));
        for (String l : its) {
            String next = holderOf(l);
            assertThat(next).isNotEqualTo(victim.name);
            long after = nodes.get(next).eventAt.get("Acquired:" + l) - killedAt;
            assertThat(after).as("takeover of %s", l).isLessThanOrEqualTo(
                    T.heartbeatExpiry().plus(T.maxRankDelay()).plus(STEP.multipliedBy(3)).toNanos());
        }
    }

    @Test
    void aHolderCutFromTheApiIsSilentBeforeAnyoneTakesItsLeases() {
        start("n1", "n2");
        var one = leases(1, "n1", "n2");
        String lease = one.keySet().iterator().next();
        campaignAll(one);
        run(Duration.ofSeconds(1));
        Node holder = nodes.get(holderOf(lease));
        Node other = nodes.get(holder.name.equals("n1") ? "n2" : "n1");
        holder.connection.fault(Fault.BLACKHOLE);
        holder.connection.cutWatch();
        long cutAt = time.nanoTime();
        long silentAt = -1;
        for (int i = 0; i < 300 && !other.engine.held().contains(lease); i++) {
            step();
            if (silentAt < 0 && !holder.engine.mayAnnounce(lease, time.nanoTime())) silentAt = time.nanoTime();
        }
        long takenAt = other.eventAt.get("Acquired:" + lease);
        assertThat(silentAt - cutAt).isLessThanOrEqualTo(T.heartbeatFence().toNanos());
        assertThat(takenAt - silentAt).as("silent a max age and a margin before the takeover")
                .isGreaterThanOrEqualTo(T.livenessMaxAge().plus(T.heartbeatMargin()).toNanos() - STEP.toNanos());
        assertThat(takenAt - cutAt).isLessThanOrEqualTo(Duration.ofMillis(1500).toNanos());
        assertThat(holder.events).as("no Lost while cut off (the fence silences it; Lost comes on reconnect)")
                .noneMatch(e -> e instanceof LeadershipEvent.Lost);
        holder.connection.fault(Fault.NONE);
        holder.connection.restoreWatch();
        run(Duration.ofSeconds(1));
        assertThat(holder.engine.held()).isEmpty();
        assertThat(holder.events.getLast()).isInstanceOf(LeadershipEvent.Lost.class);
    }

    @Test
    void aConfirmedApiOutageForEveryNodeKeepsEveryIpAnsweredAndNoLeaseChangesHands() {
        start("n1", "n2", "n3");
        var six = leases(6, "n1", "n2", "n3");
        campaignAll(six);
        run(Duration.ofSeconds(1));
        Map<String, String> before = new TreeMap<>();
        Map<String, Integer> transitions = new TreeMap<>();
        for (String l : six.keySet()) {
            before.put(l, holderOf(l));
            transitions.put(l, api.lease(l).content().transitions());
        }
        for (Node n : nodes.values()) {
            n.connection.fault(Fault.DOWN);
            n.connection.cutWatch();
        }
        for (int i = 0; i < 6000; i++) { // 60 s
            // What OutageAgreement does every half interval: every candidate confirms, and promises to hold off.
            if (i % 10 == 0) {
                for (Node h : nodes.values()) {
                    if (!h.engine.apiInDoubt()) continue;
                    for (String peer : h.engine.peersOfHeldLeases()) nodes.get(peer).engine.promiseNoTakeover(h.name);
                    h.engine.extendFence(time.nanoTime() + T.heartbeatFence().toNanos());
                }
            }
            step();
            for (String l : six.keySet()) {
                assertThat(nodes.get(before.get(l)).engine.mayAnnounce(l, time.nanoTime())).as("%s answered at %d", l, i).isTrue();
            }
        }
        for (Node n : nodes.values()) {
            n.connection.fault(Fault.NONE);
            n.connection.restoreWatch();
        }
        run(Duration.ofSeconds(10));
        for (String l : six.keySet()) {
            assertThat(holderOf(l)).isEqualTo(before.get(l));
            assertThat(api.lease(l).content().transitions()).isEqualTo(transitions.get(l));
            assertThat(nodes.get(before.get(l)).engine.mayAnnounce(l, time.nanoTime())).isTrue();
        }
        nodes.values().forEach(n -> assertThat(n.events).noneMatch(e -> e instanceof LeadershipEvent.Lost));
    }

    @Test
    void withoutConfirmationAnApiOutageSilencesTheHolderAtItsFence() {
        start("n1", "n2");
        var one = leases(1, "n1", "n2");
        String lease = one.keySet().iterator().next();
        campaignAll(one);
        run(Duration.ofSeconds(1));
        Node holder = nodes.get(holderOf(lease));
        for (Node n : nodes.values()) {
            n.connection.fault(Fault.DOWN);
            n.connection.cutWatch();
        }
        run(T.heartbeatFence().plus(STEP));
        assertThat(holder.engine.mayAnnounce(lease, time.nanoTime())).isFalse();
        run(Duration.ofSeconds(20));
        nodes.values().forEach(n -> assertThat(n.engine.held().contains(lease)).isEqualTo(n == holder)); // nobody took it
    }

    @Test
    void aPromiseMadeDuringAnOutageHoldsTheTakeoverBack() {
        start("n1", "n2");
        var one = leases(1, "n1", "n2");
        String lease = one.keySet().iterator().next();
        campaignAll(one);
        run(Duration.ofSeconds(1));
        Node holder = nodes.get(holderOf(lease));
        Node other = nodes.get(holder.name.equals("n1") ? "n2" : "n1");
        other.engine.promiseNoTakeover(holder.name);
        long promisedAt = time.nanoTime();
        holder.dead = true;
        holder.engine.abandon();
        run(Duration.ofSeconds(2));
        assertThat(other.eventAt.get("Acquired:" + lease) - promisedAt).isGreaterThanOrEqualTo(T.heartbeatExpiry().toNanos());
    }

    @Test
    void aGracefulHandoverIsOneWriteNamingTheSuccessorWhoConfirmsIt() {
        start("n1", "n2", "n3");
        var nine = leases(9, "n1", "n2", "n3");
        campaignAll(nine);
        run(Duration.ofSeconds(1));
        Node leaving = nodes.get("n1");
        Set<String> handed = leaving.engine.held();
        long updatesBefore = api.requests("update");
        var released = leaving.engine.release().toCompletableFuture();
        leaving.dead = true;
        time.runPending();
        assertThat(released).isDone();
        for (String l : handed) {
            assertThat(holderOf(l)).isIn("n2", "n3");
            assertThat(nodes.get(holderOf(l)).engine.held()).contains(l);
        }
        // One write by the leaving node and one confirming renew by the successor per lease; no release record.
        assertThat(api.requests("update") - updatesBefore).isEqualTo(2L * handed.size());
        assertThat(api.conflicts()).isZero();
    }
}
