package dev.l2announcer.election;

import static org.assertj.core.api.Assertions.assertThat;

import dev.l2announcer.config.LeaseTimings;
import dev.l2announcer.election.InMemoryLeaseApi.Fault;
import dev.l2announcer.time.ManualScheduler;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/**
 * The engine over the in-memory Lease API on one manual scheduler: every test is synchronous and exact in time
 * (no sleeps, no polling, no hooks in the engine). After every step the test checks that no two nodes hold a
 * lease at once.
 */
class ElectionEngineTransitionTest {
    static final LeaseTimings T = new LeaseTimings(Duration.ofSeconds(3), Duration.ofSeconds(1), Duration.ofMillis(200));
    static final Duration STEP = Duration.ofMillis(10);

    final ManualScheduler time = new ManualScheduler();
    final InMemoryLeaseApi api = new InMemoryLeaseApi(time, T.requestTimeout());
    final Map<String, Node> nodes = new TreeMap<>();

    /** One agent's election: its connection to the API, its engine, what it was told. */
    final class Node {
        final String name;
        final InMemoryLeaseApi.Connection connection;
        final LeaseElectionEngine engine;
        final SimpleMeterRegistry registry = new SimpleMeterRegistry();
        final List<LeadershipEvent> events = new ArrayList<>();
        final Map<String, Long> eventAt = new HashMap<>();
        boolean dead;

        /** When set, the holder-annotation hook throws it (stands for any Error on the engine's thread). */
        volatile Error failWith;

        Node(String name, LeaseElectionEngine.Options options) {
            this.name = name;
            this.connection = api.connect(name);
            this.engine = new LeaseElectionEngine(connection, name, T, options, time, time, time.wallClock(), registry,
                    lease -> {
                        if (failWith != null) throw failWith;
                        return Map.of("l2announcer.dev/announced-on", "eth0=" + name);
                    }, () -> {}).start();
            engine.subscribe(e -> {
                events.add(e);
                eventAt.put(e.getClass().getSimpleName() + ":" + e.leaseName(), time.nanoTime());
            });
        }

        void kill() {
            dead = true;
            engine.abandon();
        }

        long count(Class<? extends LeadershipEvent> type) {
            return events.stream().filter(type::isInstance).count();
        }
    }

    Node node(String name) {
        return node(name, LeaseElectionEngine.Options.defaults(T));
    }

    Node node(String name, LeaseElectionEngine.Options options) {
        Node n = new Node(name, options);
        nodes.put(name, n);
        return n;
    }

    List<Node> start(String... names) {
        List<Node> out = new ArrayList<>();
        for (String n : names) out.add(node(n));
        step(STEP); // watches listed and synced
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

    /** lease -> nodes that believe they hold it. */
    Map<String, List<String>> believers() {
        Map<String, List<String>> m = new TreeMap<>();
        for (Node n : nodes.values()) {
            if (n.dead) continue;
            for (String l : n.engine.held()) m.computeIfAbsent(l, k -> new ArrayList<>()).add(n.name);
        }
        return m;
    }

    void step(Duration d) {
        time.advance(d);
        believers().forEach((lease, who) -> assertThat(who).as("holders of %s at %d", lease, time.nanoTime()).hasSize(1));
    }

    void run(Duration total) {
        for (long i = 0; i < total.dividedBy(STEP); i++) step(STEP);
    }

    @Test
    void oneHolderPerLeaseEvenlySpreadAndOnlyHoldersWrite() {
        start("n1", "n2", "n3");
        campaignAll(leases(12, "n1", "n2", "n3"));
        run(Duration.ofMillis(100));
        assertThat(believers()).hasSize(12);
        nodes.values().forEach(n -> assertThat(n.engine.held()).hasSize(4));
        assertThat(api.requests("create")).isEqualTo(12);
        assertThat(api.conflicts()).isZero();
        // Steady state: one conditional renew per held lease per retry period, nothing else (followers never poll).
        long writes = api.writes();
        long gets = api.requests("get");
        run(Duration.ofSeconds(2)); // 10 retry periods
        assertThat(api.writes() - writes).isEqualTo(12 * 10);
        assertThat(api.requests("get")).isEqualTo(gets);
        for (LeaseRecord r : api.leases().values()) {
            assertThat(r.content().transitions()).isZero();
            assertThat(r.content().annotations()).containsEntry("l2announcer.dev/announced-on", "eth0=" + r.holder());
        }
    }

    @Test
    void killedHolderIsReplacedOneLeaseDurationAfterItsLastRenewAndNotBefore() {
        start("n1", "n2", "n3");
        campaignAll(leases(9, "n1", "n2", "n3"));
        run(Duration.ofMillis(500));
        Node victim = nodes.get("n1");
        Set<String> its = victim.engine.held();
        assertThat(its).hasSize(3);
        Map<String, Long> lastRenew = new HashMap<>();
        long killedAt = time.nanoTime();
        victim.kill();
        for (String l : its) lastRenew.put(l, killedAt);
        Map<String, Long> takenAt = new HashMap<>();
        for (int i = 0; i < 400 && takenAt.size() < its.size(); i++) {
            step(STEP);
            believers().forEach((l, who) -> {
                if (its.contains(l)) takenAt.putIfAbsent(l, time.nanoTime());
            });
        }
        assertThat(takenAt.keySet()).containsExactlyInAnyOrderElementsOf(its);
        for (String l : its) {
            long after = takenAt.get(l) - killedAt;
            // The last renew was observed at most one retry period before the kill; the takeover follows its expiry
            // plus at most the rank delay (and the step granularity).
            assertThat(after).isBetween(T.leaseDuration().minus(T.retryPeriod()).toNanos(),
                    T.leaseDuration().plus(T.maxRankDelay()).plus(STEP).toNanos());
            assertThat(api.lease(l).content().transitions()).isEqualTo(1);
        }
    }

    @Test
    void gracefulReleaseNamesTheSuccessorWhichAloneTakesOverAtOnce() {
        start("n1", "n2", "n3");
        campaignAll(leases(12, "n1", "n2", "n3"));
        run(Duration.ofMillis(500));
        Node leaving = nodes.get("n1");
        Set<String> handed = leaving.engine.held();
        int conflicts = api.conflicts();
        CompletableFuture<Void> released = leaving.engine.release().toCompletableFuture();
        time.runPending(); // no time passes
        assertThat(released).isDone();
        assertThat(leaving.engine.held()).isEmpty();
        assertThat(leaving.count(LeadershipEvent.Released.class)).isEqualTo(handed.size());
        for (String l : handed) {
            // Released before the release record was written, then taken by the named successor at once.
            assertThat(leaving.eventAt).containsKey("Released:" + l);
            String holder = api.lease(l).holder();
            assertThat(holder).isIn("n2", "n3");
            assertThat(believers().get(l)).containsExactly(holder);
            assertThat(LeaseRecords.successor(api.lease(l).content())).isNull();
        }
        assertThat(api.conflicts()).isEqualTo(conflicts);
        assertThat(nodes.get("n2").engine.held()).hasSize(6);
        assertThat(nodes.get("n3").engine.held()).hasSize(6);
    }

    @Test
    void droppedLeaseIsReleasedWithTheClientGoReleaseRecordBeforeAnyoneElseHoldsIt() {
        start("n1");
        var one = leases(1, "n1");
        String name = one.keySet().iterator().next();
        nodes.get("n1").engine.campaign(one);
        run(Duration.ofMillis(50));
        assertThat(nodes.get("n1").engine.held()).containsExactly(name);
        nodes.get("n1").engine.campaign(Map.of());
        time.runPending();
        LeaseContent c = api.lease(name).content();
        assertThat(c.holder()).isEmpty();
        assertThat(c.durationSeconds()).isEqualTo(1);
        assertThat(c.acquireTime()).isEqualTo(c.renewTime());
        assertThat(c.annotations()).doesNotContainKey("l2announcer.dev/announced-on");
        assertThat(nodes.get("n1").events).extracting(e -> e.getClass().getSimpleName()).containsExactly("Acquired", "Released");
    }

    @Test
    void blackholedHolderStandsDownAtItsRenewDeadlineBeforeAnyTakeover() {
        start("n1", "n2");
        var one = leases(1, "n1", "n2");
        String name = one.keySet().iterator().next();
        campaignAll(one);
        run(Duration.ofMillis(300));
        Node holder = nodes.get(api.lease(name).holder());
        Node other = nodes.get(holder.name.equals("n1") ? "n2" : "n1");
        holder.connection.fault(Fault.BLACKHOLE);
        holder.connection.cutWatch();
        long cutAt = time.nanoTime();
        run(Duration.ofSeconds(4));
        long lostAt = holder.eventAt.get("Lost:" + name);
        long takenAt = other.eventAt.get("Acquired:" + name);
        // Lost at renewDeadline after the last successful renew (sent at most one retry period before the cut) ...
        assertThat(lostAt - cutAt).isBetween(T.renewDeadline().minus(T.retryPeriod()).toNanos(), T.renewDeadline().toNanos());
        // ... and the other node takes over only once the lease expired, well after that.
        assertThat(takenAt - lostAt).isGreaterThanOrEqualTo(T.leaseDuration().minus(T.renewDeadline()).toNanos());
        assertThat(((LeadershipEvent.Lost) holder.events.getLast()).reason()).isEqualTo(LeaseTransitions.DEADLINE_PASSED);
    }

    @Test
    void renewWhoseAnswerIsLostStillStandsDownByTheDeadline() {
        start("n1", "n2");
        var one = leases(1, "n1", "n2");
        String name = one.keySet().iterator().next();
        campaignAll(one);
        run(Duration.ofMillis(300));
        Node holder = nodes.get(api.lease(name).holder());
        holder.connection.fault(Fault.ANSWER_LOST); // the API applies the renews, the holder never hears back
        long faultAt = time.nanoTime();
        run(Duration.ofSeconds(2));
        assertThat(holder.eventAt.get("Lost:" + name) - faultAt).isLessThanOrEqualTo(T.renewDeadline().toNanos());
        assertThat(holder.engine.held()).isEmpty();
    }

    @Test
    void conflictOnRenewIsReadOnceAndTheHolderKeepsHoldingAndForeignAnnotations() {
        start("n1");
        var one = leases(1, "n1");
        String name = one.keySet().iterator().next();
        nodes.get("n1").engine.campaign(one);
        run(Duration.ofMillis(50));
        LeaseRecord now = api.lease(name);
        Map<String, String> touched = new HashMap<>(now.content().annotations());
        touched.put("example.org/touched", "yes");
        api.writeAsOther(name, new LeaseContent(now.holder(), now.content().durationSeconds(), now.content().acquireTime(),
                now.content().renewTime(), now.content().transitions(), touched));
        long gets = api.requests("get");
        run(Duration.ofSeconds(1));
        assertThat(api.conflicts()).isEqualTo(1);
        assertThat(api.requests("get") - gets).isEqualTo(1);
        assertThat(nodes.get("n1").engine.held()).containsExactly(name);
        assertThat(nodes.get("n1").events).hasSize(1);
        assertThat(api.lease(name).content().annotations()).containsEntry("example.org/touched", "yes");
    }

    @Test
    void foreignHolderMakesUsStandDownAtOnceAndRetakeOnlyAfterItExpires() {
        start("n1");
        var one = leases(1, "n1");
        String name = one.keySet().iterator().next();
        nodes.get("n1").engine.campaign(one);
        run(Duration.ofMillis(50));
        LeaseRecord now = api.lease(name);
        api.writeAsOther(name, new LeaseContent("intruder", 3, Instant.EPOCH, Instant.EPOCH, 1, Map.of()));
        long takenAt = time.nanoTime();
        time.runPending();
        assertThat(nodes.get("n1").engine.held()).isEmpty();
        assertThat(((LeadershipEvent.Lost) nodes.get("n1").events.getLast()).reason()).contains("intruder");
        run(Duration.ofMillis(2990));
        assertThat(nodes.get("n1").engine.held()).isEmpty();
        run(Duration.ofMillis(20));
        assertThat(nodes.get("n1").engine.held()).containsExactly(name);
        assertThat(nodes.get("n1").eventAt.get("Acquired:" + name) - takenAt).isEqualTo(Duration.ofSeconds(3).toNanos());
        assertThat(now.content().transitions() + 2).isEqualTo(api.lease(name).content().transitions());
    }

    @Test
    void leaseDeletedWhileHeldIsLostThenCreatedAgain() {
        start("n1");
        var one = leases(1, "n1");
        String name = one.keySet().iterator().next();
        nodes.get("n1").engine.campaign(one);
        run(Duration.ofMillis(50));
        api.deleteAsOther(name);
        time.runPending();
        assertThat(nodes.get("n1").events).extracting(e -> e.getClass().getSimpleName()).containsExactly("Acquired", "Lost", "Acquired");
        assertThat(((LeadershipEvent.Lost) nodes.get("n1").events.get(1)).reason()).isEqualTo("lease deleted");
        assertThat(api.lease(name).holder()).isEqualTo("n1");
    }

    @Test
    void watchOutageOfThreeLeaseDurationsCausesNoTakeoverAndExpiryRestartsFromTheReconnect() {
        start("n1", "n2");
        var one = leases(1, "n1", "n2");
        String name = one.keySet().iterator().next();
        campaignAll(one);
        run(Duration.ofMillis(300));
        Node holder = nodes.get(api.lease(name).holder());
        Node follower = nodes.get(holder.name.equals("n1") ? "n2" : "n1");
        follower.connection.cutWatch();
        run(Duration.ofSeconds(9)); // blind while the holder keeps renewing
        follower.connection.restoreWatch();
        run(Duration.ofSeconds(4));
        assertThat(follower.events).isEmpty();
        assertThat(api.lease(name).content().transitions()).isZero();
        // Once the holder is really gone, the reconnected follower takes over within the lease model's bound.
        holder.kill();
        long killedAt = time.nanoTime();
        run(Duration.ofSeconds(4));
        assertThat(follower.engine.held()).containsExactly(name);
        assertThat(follower.eventAt.get("Acquired:" + name) - killedAt)
                .isLessThanOrEqualTo(T.leaseDuration().plus(T.maxRankDelay()).plus(STEP).toNanos());
    }

    @Test
    void aRoutineReWatchDuringAFailoverDoesNotRestartTheFollowersExpiryClock() {
        start("n1", "n2");
        var one = leases(1, "n1", "n2");
        String name = one.keySet().iterator().next();
        campaignAll(one);
        run(Duration.ofMillis(300));
        Node holder = nodes.get(api.lease(name).holder());
        Node follower = nodes.get(holder.name.equals("n1") ? "n2" : "n1");
        holder.kill();
        long killedAt = time.nanoTime();
        run(Duration.ofMillis(2500));
        // fabric8 re-opens the watch (every few minutes in production): down for 40 ms, nothing missed.
        follower.connection.cutWatch();
        run(Duration.ofMillis(40));
        follower.connection.restoreWatch();
        run(Duration.ofSeconds(2));
        assertThat(follower.engine.held()).containsExactly(name);
        assertThat(follower.eventAt.get("Acquired:" + name) - killedAt)
                .as("taken over one lease duration after the last renew, not after the re-watch")
                .isLessThanOrEqualTo(T.leaseDuration().plus(T.maxRankDelay()).plus(STEP).toNanos());
    }

    @Test
    void apiDownForEveryoneEveryHolderStandsDownAndNobodyAcquiresUntilItIsBack() {
        start("n1", "n2", "n3");
        campaignAll(leases(6, "n1", "n2", "n3"));
        run(Duration.ofMillis(300));
        Map<String, LeaseRecord> before = api.leases();
        for (Node n : nodes.values()) {
            n.connection.fault(Fault.DOWN);
            n.connection.cutWatch();
        }
        long downAt = time.nanoTime();
        run(Duration.ofSeconds(10));
        assertThat(believers()).isEmpty();
        for (Node n : nodes.values()) {
            n.events.stream().filter(e -> e instanceof LeadershipEvent.Lost)
                    .forEach(e -> assertThat(n.eventAt.get("Lost:" + e.leaseName()) - downAt).isLessThanOrEqualTo(T.renewDeadline().toNanos()));
        }
        assertThat(api.leases()).isEqualTo(before); // nothing reached the API
        // Refused renews are retried once per retry period, not in a storm: 2 held leases x (renewDeadline / retryPeriod).
        nodes.values().forEach(n -> assertThat(n.registry.find(ElectionMetrics.RENEW_FAILURES).counter().count())
                .isLessThanOrEqualTo(2 * 5 + 2));
        for (Node n : nodes.values()) {
            n.connection.fault(Fault.NONE);
            n.connection.restoreWatch();
        }
        run(Duration.ofSeconds(4));
        assertThat(believers()).hasSize(6);
    }

    @Test
    void newLeaseWhoseFirstRankedNodeIsDownIsTakenAfterOneLeaseDuration() {
        start("n1", "n2");
        // Every node computes the same first-ranked node for a new lease; here it never campaigns.
        Map<String, SortedSet<String>> leases = new TreeMap<>();
        String lease = firstRankedLeaseFor("ghost", Set.of("ghost", "n1", "n2"));
        leases.put(lease, new TreeSet<>(Set.of("ghost", "n1", "n2")));
        campaignAll(leases);
        long campaignedAt = time.nanoTime();
        run(Duration.ofMillis(2990));
        assertThat(api.lease(lease)).isNull();
        run(Duration.ofMillis(200));
        assertThat(believers()).containsKey(lease);
        long at = believers().get(lease).stream().mapToLong(n -> nodes.get(n).eventAt.get("Acquired:" + lease)).min().orElseThrow();
        assertThat(at - campaignedAt).isBetween(T.leaseDuration().toNanos(), T.leaseDuration().plus(T.maxRankDelay()).plus(STEP).toNanos());
        assertThat(api.conflicts()).isZero();
    }

    @Test
    void restartedNodeFindsItsOwnRecordAndRenewsItAtOnce() {
        start("n1");
        var one = leases(1, "n1");
        String name = one.keySet().iterator().next();
        nodes.get("n1").engine.campaign(one);
        run(Duration.ofMillis(50));
        nodes.get("n1").kill();
        nodes.remove("n1");
        run(Duration.ofMillis(500));
        Node again = node("n1");
        again.engine.campaign(one);
        step(STEP);
        assertThat(again.engine.held()).containsExactly(name);
        assertThat(api.lease(name).content().transitions()).isZero(); // a renew of our own record, not a takeover
    }

    @Test
    void abandonedLeaseIsDeletedByExactlyOneNodeAfterTheGcInterval() {
        var options = new LeaseElectionEngine.Options(Duration.ofSeconds(10), T.rankStep(), T.maxRankDelay(), Duration.ofMillis(20), Set.of());
        for (String n : List.of("n1", "n2", "n3")) node(n, options);
        step(STEP);
        var all = leases(4, "n1", "n2", "n3");
        campaignAll(all);
        run(Duration.ofMillis(300));
        var keep = new TreeMap<>(all);
        List<String> gone = new ArrayList<>(all.keySet()).subList(0, 2);
        gone.forEach(keep::remove);
        campaignAll(keep);
        time.runPending();
        gone.forEach(l -> assertThat(api.lease(l).holder()).isEmpty());
        time.advance(Duration.ofSeconds(25));
        gone.forEach(l -> assertThat(api.lease(l)).as(l).isNull());
        keep.keySet().forEach(l -> assertThat(api.lease(l)).as(l).isNotNull());
        assertThat(api.requests("delete")).isEqualTo(2);
    }

    @Test
    void aHolderDroppedWhileItsRenewFailsStillReleasesSoTheSuccessorNeedNotWait() {
        start("n1", "n2");
        var one = leases(1, "n1", "n2");
        String name = one.keySet().iterator().next();
        campaignAll(one);
        run(Duration.ofMillis(300));
        api.latency(Duration.ofMillis(30));
        Node holder = nodes.get(api.lease(name).holder());
        Node other = nodes.get(holder.name.equals("n1") ? "n2" : "n1");
        // The next renew fails (a 500 after 30 ms); the lease is dropped while it is in flight.
        holder.connection.failNext();
        long renewsBefore = api.requests("update");
        while (api.requests("update") == renewsBefore) step(STEP.dividedBy(10));
        long droppedAt = time.nanoTime();
        holder.engine.campaign(Map.of()); // e.g. the node became unselectable
        run(Duration.ofMillis(300));
        assertThat(api.lease(name).holder()).isEqualTo(other.name);
        assertThat(other.eventAt.get("Acquired:" + name) - droppedAt).isLessThan(T.leaseDuration().minus(T.renewDeadline()).toNanos());
    }

    @Test
    void aLeaseWhoseGroupIsGoneIsDeletedByItsHolderAtOnce() {
        start("n1", "n2");
        var two = leases(2, "n1", "n2");
        campaignAll(two);
        run(Duration.ofMillis(300));
        List<String> names = new ArrayList<>(two.keySet());
        String gone = names.get(0);
        var rest = new TreeMap<>(two);
        rest.remove(gone);
        for (Node n : nodes.values()) n.engine.campaign(rest, rest.keySet()); // the Service was deleted
        time.runPending();
        assertThat(api.lease(gone)).as("deleted at once, not left for the GC").isNull();
        assertThat(api.lease(names.get(1))).isNotNull();
        assertThat(api.conflicts()).isZero();
        // A lease merely no longer campaigned for here (its group still exists) is released, not deleted.
        nodes.get("n1").engine.campaign(Map.of(), rest.keySet());
        nodes.get("n2").engine.campaign(Map.of(), rest.keySet());
        time.runPending();
        assertThat(api.lease(names.get(1))).isNotNull();
        assertThat(api.lease(names.get(1)).holder()).isEmpty();
    }

    @Test
    void whoeverHearsAcquiredMayAnnounceAtOnce() {
        // The announce loop reacts to Acquired on its own thread and sends the first GARP / unsolicited NA at once;
        // the reconciler asks the fence before each. Were the lease published as valid only after the event, that
        // first announcement could be refused and the whole burst dropped (seen in AgentClusterTest under load).
        start("n1");
        var one = leases(1, "n1");
        String name = one.keySet().iterator().next();
        LeaseElectionEngine e = nodes.get("n1").engine;
        List<Boolean> fenceAtEvent = new ArrayList<>();
        e.subscribe(ev -> {
            if (ev instanceof LeadershipEvent.Acquired) fenceAtEvent.add(e.mayAnnounce(ev.leaseName(), time.nanoTime()));
        });
        e.campaign(one);
        run(Duration.ofMillis(500));
        assertThat(fenceAtEvent).containsExactly(true);
        assertThat(e.mayAnnounce(name, time.nanoTime())).isTrue();
    }

    @Test
    void mayAnnounceEndsAtTheRenewDeadlineEvenIfTheEngineNeverRunsAgain() {
        start("n1");
        var one = leases(1, "n1");
        String name = one.keySet().iterator().next();
        nodes.get("n1").engine.campaign(one);
        run(Duration.ofMillis(500));
        LeaseElectionEngine e = nodes.get("n1").engine;
        long now = time.nanoTime();
        // The engine thread is frozen from here on (nothing runs): the answer depends on the clock alone.
        assertThat(e.mayAnnounce(name, now)).isTrue();
        assertThat(e.mayAnnounce(name, now + T.renewDeadline().minus(T.retryPeriod()).toNanos())).isTrue();
        assertThat(e.mayAnnounce(name, now + T.renewDeadline().toNanos())).isFalse();
        assertThat(e.mayAnnounce("cilium-l2announce-default-other", now)).as("not held").isFalse();
    }

    @Test
    void anErrorOnTheEngineThreadClosesTheFenceFailsLivenessAndReleasesNothing() {
        start("n1", "n2");
        var one = leases(1, "n1", "n2");
        String name = one.keySet().iterator().next();
        campaignAll(one);
        run(Duration.ofMillis(300));
        Node holder = nodes.get(api.lease(name).holder());
        Node other = nodes.get(holder.name.equals("n1") ? "n2" : "n1");
        holder.failWith = new StackOverflowError("simulated");
        long failedBy = time.nanoTime() + T.retryPeriod().toNanos();
        step(T.retryPeriod()); // the next renew runs the hook
        assertThat(holder.engine.alive()).isFalse();
        assertThat(holder.engine.mayAnnounce(name, time.nanoTime())).isFalse();
        assertThat(api.lease(name).holder()).as("nothing released: a broken engine cannot vouch for a handover").isEqualTo(holder.name);
        holder.dead = true; // it answers nothing any more (its fence is closed); only the other node counts
        run(Duration.ofSeconds(4));
        assertThat(other.engine.held()).containsExactly(name);
        // The last successful renew was at most a retry period before the failed one: the lease expired from there.
        assertThat(other.eventAt.get("Acquired:" + name) - failedBy)
                .isGreaterThanOrEqualTo(T.leaseDuration().minus(T.retryPeriod().multipliedBy(2)).toNanos());
    }

    /** A lease name whose rendezvous-first candidate is {@code node} (what every node's plan ranks first). */
    static String firstRankedLeaseFor(String node, Set<String> candidates) {
        for (int i = 0; i < 1000; i++) {
            String lease = "cilium-l2announce-default-new-" + i;
            Map<String, SortedSet<String>> c = Map.of(lease, new TreeSet<>(candidates));
            if (CandidateRanking.rank(c, Map.of()).get(lease).getFirst().equals(node)) return lease;
        }
        throw new IllegalStateException("no lease ranks " + node + " first");
    }
}
