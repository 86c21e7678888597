package dev.l2announcer.election;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.l2announcer.election.ElectionHarness.Agent;
import dev.l2announcer.config.LeaseTimings;
import dev.l2announcer.time.ManualScheduler;
import dev.l2announcer.time.Ticker;
import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class LeaseElectionEngineTest {
    static final LeaseTimings T3 = new LeaseTimings(Duration.ofSeconds(3), Duration.ofSeconds(1), Duration.ofMillis(200));
    static final LeaseTimings T1 = new LeaseTimings(Duration.ofSeconds(1), Duration.ofMillis(500), Duration.ofMillis(100));
    static final Duration STEP = Duration.ofMillis(20);

    final ElectionHarness h = new ElectionHarness();
    final ManualScheduler time = h.time;

    @AfterEach
    void tearDown() {
        h.close();
    }

    /** Advances manual time and waits until every live engine has acted on it (nothing queued, no request in flight). */
    void step(Duration d) {
        h.step(d);
    }

    void settle() {
        h.settle();
    }


    void assertAtMostOneHolder() {
        h.holders().forEach((lease, nodes) -> assertThat(nodes).as("holders of %s", lease).hasSizeLessThanOrEqualTo(1));
    }

    List<Agent> startAgents(int n, LeaseTimings t) {
        for (int i = 0; i < n; i++) h.start("node-" + i, t, time, time.wallClock());
        h.awaitWatching(h.agents.toArray(Agent[]::new));
        return h.agents;
    }

    void campaignAll(Map<String, SortedSet<String>> leases) {
        for (Agent a : h.agents) a.engine.campaign(leases);
    }

    void stepUntilAllHeld(int count) {
        for (int i = 0; i < 500 && h.holders().size() < count; i++) {
            step(STEP);
            assertAtMostOneHolder();
        }
        assertThat(h.holders()).hasSize(count);
    }

    @Test
    void exactlyOneHolderPerLeaseWithClientGoFields() {
        List<Agent> agents = startAgents(3, T3);
        var leases = ElectionHarness.leases(12, agents);
        campaignAll(leases);
        settle();
        stepUntilAllHeld(12);

        // Steady state: 5 lease durations of renewals, never two holders, no transitions.
        var first = h.lease(leases.keySet().iterator().next());
        for (int i = 0; i < 750; i++) {
            step(STEP);
            if (i % 10 == 0) assertAtMostOneHolder();
        }
        assertThat(h.holders()).hasSize(12).allSatisfy((l, n) -> assertThat(n).hasSize(1));
        for (String name : leases.keySet()) {
            Lease lease = h.lease(name);
            String holder = h.holders().get(name).getFirst();
            assertThat(lease.getSpec().getHolderIdentity()).isEqualTo(holder);
            assertThat(lease.getSpec().getLeaseDurationSeconds()).isEqualTo(3);
            assertThat(lease.getSpec().getLeaseTransitions()).isZero();
        }
        Lease again = h.lease(first.getMetadata().getName());
        assertThat(again.getSpec().getAcquireTime()).isEqualTo(first.getSpec().getAcquireTime());
        assertThat(again.getSpec().getRenewTime()).isAfter(first.getSpec().getRenewTime());
        String json = Serialization.asJson(again);
        assertThat(json).containsPattern("\"renewTime\":\"\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{6}Z\"")
                .containsPattern("\"acquireTime\":\"\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{6}Z\"");
        // Balanced (12 over 3) and no follower request: only renewals (one update per held lease per retry period).
        h.agents.forEach(a -> assertThat(a.engine.held()).hasSize(4));
        long before = h.dispatcher.count("update") + h.dispatcher.count("get") + h.dispatcher.count("create");
        for (int i = 0; i < 50; i++) step(STEP); // 1 s = 5 retry periods
        long after = h.dispatcher.count("update") + h.dispatcher.count("get") + h.dispatcher.count("create");
        assertThat(after - before).isBetween(12L * 5 - 12, 12L * 5 + 12);
        assertThat(h.agents.getFirst().counter(ElectionMetrics.TRANSITIONS, "outcome", "acquired")).isEqualTo(4);
    }

    @Test
    void killedHolderIsReplacedWithinLeaseDurationOfTheKill() {
        List<Agent> agents = startAgents(3, T3);
        var leases = ElectionHarness.leases(6, agents);
        campaignAll(leases);
        settle();
        stepUntilAllHeld(6);
        for (int i = 0; i < 37; i++) step(STEP); // mid renew period
        Agent victim = agents.getFirst();
        var victimLeases = victim.engine.held();
        assertThat(victimLeases).isNotEmpty();
        long killedAt = time.nanoTime();
        victim.kill();
        Map<String, Long> takenAt = new java.util.HashMap<>();
        for (int i = 0; i < 250 && takenAt.size() < victimLeases.size(); i++) {
            step(STEP);
            assertAtMostOneHolder();
            h.holders().forEach((l, n) -> {
                if (victimLeases.contains(l) && !n.contains(victim.node)) takenAt.putIfAbsent(l, time.nanoTime() - killedAt);
            });
        }
        assertThat(takenAt.keySet()).containsExactlyInAnyOrderElementsOf(victimLeases);
        takenAt.values().forEach(d -> assertThat(d).isBetween(
                T3.leaseDuration().minus(T3.retryPeriod()).toNanos(), T3.leaseDuration().plusMillis(100).toNanos()));
        for (String l : victimLeases) assertThat(h.lease(l).getSpec().getLeaseTransitions()).isEqualTo(1);
        var latency = agents.get(1).registry.find(ElectionMetrics.ACQUIRE).timer();
        assertThat(latency).isNotNull();
    }

    @Test
    void gracefulShutdownHandsOverWithinASecond() {
        for (int i = 0; i < 3; i++) h.start("node-" + i, T3, Ticker.system(), Clock.systemUTC());
        h.awaitWatching(h.agents.toArray(Agent[]::new));
        var leases = ElectionHarness.leases(30, h.agents);
        campaignAll(leases);
        await().atMost(5, TimeUnit.SECONDS).until(() -> h.holders().size() == 30);
        Agent leaving = h.agents.getFirst();
        var handed = leaving.engine.held();
        assertThat(handed).isNotEmpty();
        long start = System.nanoTime();
        leaving.engine.shutdown(Duration.ofSeconds(2));
        await().atMost(2, TimeUnit.SECONDS).pollInterval(Duration.ofMillis(5))
                .until(() -> h.holders().keySet().containsAll(handed) && h.holders().entrySet().stream()
                        .noneMatch(e -> e.getValue().contains(leaving.node)));
        long elapsed = System.nanoTime() - start;
        assertThat(Duration.ofNanos(elapsed)).isLessThan(Duration.ofSeconds(1));
        assertThat(leaving.events).filteredOn(e -> e.event() instanceof LeadershipEvent.Released).hasSize(handed.size());
        assertThat(leaving.counter(ElectionMetrics.TRANSITIONS, "outcome", "released")).isEqualTo(handed.size());
        // Transitions counted as client-go does: the release keeps the count, the next holder increments it.
        for (String l : handed) assertThat(h.lease(l).getSpec().getLeaseTransitions()).isEqualTo(1);
    }

    @Test
    void gracefulReleaseNamesTheSuccessorWhichAloneTakesOverAtOnce() {
        List<Agent> agents = startAgents(3, T3);
        var leases = ElectionHarness.leases(12, agents);
        campaignAll(leases);
        settle();
        stepUntilAllHeld(12);
        Agent leaving = agents.getFirst();
        var handed = leaving.engine.held();
        assertThat(handed).isNotEmpty();
        Map<String, String> named = new java.util.concurrent.ConcurrentHashMap<>();
        try (var watch = h.admin.leases().inNamespace(ElectionHarness.NS).watch(new io.fabric8.kubernetes.client.Watcher<Lease>() {
            @Override
            public void eventReceived(Action action, Lease lease) {
                String successor = ElectionHarness.successor(lease);
                if (ElectionHarness.holder(lease).isEmpty() && successor != null) named.put(lease.getMetadata().getName(), successor);
            }

            @Override
            public void onClose(io.fabric8.kubernetes.client.WatcherException cause) {}
        })) {
            long conflicts = h.dispatcher.conflicts.sum();
            h.shutdown(leaving);
            // No time passes: only the named successor may act (the others wait at least the released record's 1 s).
            h.settleUntil(() -> named.keySet().containsAll(handed));
            settle();
            for (String l : handed) {
                assertThat(named.get(l)).isNotEqualTo(leaving.node);
                assertThat(h.holders().get(l)).as("holder of %s", l).containsExactly(named.get(l));
                assertThat(ElectionHarness.successor(h.lease(l))).isNull();
            }
            assertThat(h.dispatcher.conflicts.sum()).isEqualTo(conflicts);
            // The successors split the released leases evenly (12 over the 2 remaining nodes).
            agents.subList(1, 3).forEach(a -> assertThat(a.engine.held()).hasSize(6));
        }
    }

    @Test
    void releaseWritesClientGoReleaseRecord() {
        Agent a = h.start("node-a", T3, time, time.wallClock());
        h.awaitWatching(a);
        var leases = ElectionHarness.leases(1, List.of(a));
        a.engine.campaign(leases);
        stepUntilAllHeld(1);
        String name = leases.keySet().iterator().next();
        a.engine.campaign(Map.of()); // dropped from the selection: released
        settle();
        h.settleUntil(() -> "".equals(h.lease(name).getSpec().getHolderIdentity()));
        Lease released = h.lease(name);
        assertThat(released.getSpec().getLeaseDurationSeconds()).isEqualTo(1);
        assertThat(released.getSpec().getLeaseTransitions()).isZero();
        assertThat(released.getSpec().getAcquireTime()).isEqualTo(released.getSpec().getRenewTime());
        assertThat(a.events).extracting(e -> e.event().getClass().getSimpleName()).containsExactly("Acquired", "Released");
        assertThat(a.engine.held()).isEmpty();
    }

    @Test
    void holderReportsLostWithinRenewDeadlineWhileRequestsHang() {
        Agent a = h.start("node-a", T3, time, time.wallClock());
        h.awaitWatching(a);
        a.engine.campaign(ElectionHarness.leases(3, List.of(a)));
        stepUntilAllHeld(3);
        for (int i = 0; i < 23; i++) step(STEP);
        h.dispatcher.hangLeaseWrites.set(true);
        long hungAt = time.nanoTime();
        for (int i = 0; i < 100 && !a.engine.held().isEmpty(); i++) {
            time.advance(STEP); // the writes hang: nothing to wait for but the engine's own tasks
            time.runPending();
        }
        h.dispatcher.hangLeaseWrites.set(false);
        // Lost is due renewDeadline after the last successful renew, which was sent at most one retry period before the hang.
        assertThat(a.events).filteredOn(e -> e.event() instanceof LeadershipEvent.Lost).allSatisfy(e -> assertThat(e.tickerNanos() - hungAt)
                .isBetween(T3.renewDeadline().minus(T3.retryPeriod()).toNanos(), T3.renewDeadline().toNanos()));
        assertThat(a.events).filteredOn(e -> e.event() instanceof LeadershipEvent.Lost).hasSize(3)
                .allSatisfy(e -> assertThat(((LeadershipEvent.Lost) e.event()).reason()).contains("renewDeadline"));
        assertThat(a.engine.held()).isEmpty();
        assertThat(a.counter(ElectionMetrics.RENEW_FAILURES)).isZero(); // the hanging renews have not even failed yet
    }

    @Test
    void holderReportsLostWithinRenewDeadlineWhenTheApiServerIsGone() {
        Agent a = h.start("node-a", T1, Ticker.system(), Clock.systemUTC());
        h.awaitWatching(a);
        a.engine.campaign(ElectionHarness.leases(5, List.of(a)));
        await().atMost(5, TimeUnit.SECONDS).until(() -> a.engine.held().size() == 5);
        long down = System.nanoTime();
        h.server.destroy();
        await().atMost(T1.renewDeadline().plusMillis(100)).pollInterval(Duration.ofMillis(2))
                .until(() -> a.events.stream().filter(e -> e.event() instanceof LeadershipEvent.Lost).count() == 5);
        long firstLost = a.events.stream().filter(e -> e.event() instanceof LeadershipEvent.Lost).mapToLong(ElectionHarness.Event::tickerNanos).min().orElseThrow();
        assertThat(Duration.ofNanos(firstLost - down)).isLessThanOrEqualTo(T1.renewDeadline().plusMillis(20));
    }

    @Test
    void foreignWriteMakesRenewConflictThenRereadAndKeepHolding() {
        Agent a = h.start("node-a", T3, time, time.wallClock());
        h.awaitWatching(a);
        var leases = ElectionHarness.leases(1, List.of(a));
        String name = leases.keySet().iterator().next();
        a.engine.campaign(leases);
        stepUntilAllHeld(1);
        // Someone edits the lease (an annotation) between two renewals: our next PUT carries a stale resourceVersion.
        Lease edited = h.lease(name);
        edited.getMetadata().setAnnotations(Map.of("example.org/touched", "yes"));
        h.admin.leases().inNamespace(ElectionHarness.NS).resource(edited).update();
        long conflictsBefore = h.dispatcher.conflicts.sum();
        for (int i = 0; i < 50; i++) step(STEP);
        assertThat(h.dispatcher.conflicts.sum() - conflictsBefore).isLessThanOrEqualTo(1);
        assertThat(a.engine.held()).containsExactly(name);
        assertThat(a.events).extracting(e -> e.event().getClass().getSimpleName()).containsExactly("Acquired");
        assertThat(h.lease(name).getMetadata().getAnnotations()).containsEntry("example.org/touched", "yes");

        // Someone else takes it (a Cilium agent that judged it expired): we stop at once, then re-take it after it lapses.
        Lease taken = h.lease(name);
        taken.getSpec().setHolderIdentity("intruder");
        h.admin.leases().inNamespace(ElectionHarness.NS).resource(taken).update();
        h.settleUntil(() -> a.engine.held().isEmpty());
        assertThat(a.events.getLast().event()).isInstanceOf(LeadershipEvent.Lost.class);
        assertThat(((LeadershipEvent.Lost) a.events.getLast().event()).reason()).contains("intruder");
        long takenAt = time.nanoTime();
        for (int i = 0; i < 200 && a.engine.held().isEmpty(); i++) step(STEP);
        assertThat(a.engine.held()).containsExactly(name);
        assertThat(time.nanoTime() - takenAt).isBetween(Duration.ofSeconds(3).toNanos(), Duration.ofMillis(3100).toNanos());
    }

    @Test
    void racingCandidatesNeverHoldTheSameLease() {
        for (int i = 0; i < 5; i++) h.start("node-" + i, T1, Ticker.system(), Clock.systemUTC());
        h.awaitWatching(h.agents.toArray(Agent[]::new));
        var leases = ElectionHarness.leases(20, h.agents);
        campaignAll(leases);
        long end = System.nanoTime() + Duration.ofSeconds(3).toNanos();
        int kills = 0;
        while (System.nanoTime() < end) {
            assertAtMostOneHolder();
            if (kills == 0 && System.nanoTime() > end - Duration.ofSeconds(2).toNanos()) {
                // Make every lease of one node free at once: all the others race for them.
                h.agents.getFirst().engine.shutdown(Duration.ofSeconds(1));
                kills++;
            }
        }
        await().atMost(10, TimeUnit.SECONDS).until(() -> h.holders().size() == 20); // safety is the point, not speed (shared 2-core machine)
        assertAtMostOneHolder();
        h.holders().forEach((l, n) -> assertThat(h.lease(l).getSpec().getHolderIdentity()).isEqualTo(n.getFirst()));
    }

    @Test
    void wallClockSkewOfThirtySecondsChangesNothing() {
        Clock[] clocks = {Clock.offset(time.wallClock(), Duration.ofSeconds(30)), Clock.offset(time.wallClock(), Duration.ofSeconds(-30)), time.wallClock()};
        for (int i = 0; i < 3; i++) h.start("node-" + i, T3, time, clocks[i]);
        h.awaitWatching(h.agents.toArray(Agent[]::new));
        var leases = ElectionHarness.leases(9, h.agents);
        campaignAll(leases);
        settle();
        stepUntilAllHeld(9);
        for (int i = 0; i < 750; i++) {
            step(STEP);
            if (i % 10 == 0) assertAtMostOneHolder();
        }
        for (String l : leases.keySet()) assertThat(h.lease(l).getSpec().getLeaseTransitions()).isZero();
        h.agents.forEach(a -> assertThat(a.events).hasSize(3));
        // The node 30 s behind dies: its renewTimes look 30 s old to the others' wall clocks, which must not matter.
        Agent slow = h.agents.get(1);
        var its = slow.engine.held();
        long killedAt = time.nanoTime();
        slow.kill();
        Map<String, Long> takenAt = new java.util.HashMap<>();
        for (int i = 0; i < 250 && takenAt.size() < its.size(); i++) {
            step(STEP);
            h.holders().forEach((l, n) -> {
                if (its.contains(l) && !n.contains(slow.node)) takenAt.putIfAbsent(l, time.nanoTime() - killedAt);
            });
        }
        assertThat(takenAt).hasSize(its.size());
        takenAt.values().forEach(d -> assertThat(d).isBetween(
                T3.leaseDuration().minus(T3.retryPeriod()).toNanos(), T3.leaseDuration().plusMillis(100).toNanos()));
    }

    @Test
    void informerReconnectCausesNoTakeover() throws Exception {
        Agent holder = h.start("node-a", T3, time, time.wallClock());
        h.awaitWatching(holder);
        var leases = ElectionHarness.leases(4, List.of(holder));
        holder.engine.campaign(leases);
        stepUntilAllHeld(4);
        try (TcpProxy proxy = new TcpProxy(h.server.getPort())) {
            Agent follower = h.start("node-b", h.clientVia(proxy.port()), T3, time, time.wallClock(), l -> Map.of());
            h.awaitWatching(follower);
            var both = ElectionHarness.leases(4, List.of(holder, follower));
            holder.engine.campaign(both);
            follower.engine.campaign(both);
            for (int i = 0; i < 50; i++) step(STEP);

            proxy.cut();
            await().atMost(10, TimeUnit.SECONDS).until(() -> {
                step(Duration.ofMillis(1));
                return !follower.engine.watchConnected();
            });
            // Blind for 3 lease durations while the holder keeps renewing.
            for (int i = 0; i < 450; i++) step(STEP);
            proxy.restore();
            h.awaitWatching(follower);
            for (int i = 0; i < 300; i++) step(STEP);
            assertThat(follower.events).isEmpty();
            assertThat(holder.events).hasSize(4).allMatch(e -> e.event() instanceof LeadershipEvent.Acquired);
            for (String l : leases.keySet()) assertThat(h.lease(l).getSpec().getLeaseTransitions()).isZero();

            // Control: once the holder is really gone, the reconnected follower does take over.
            holder.kill();
            for (int i = 0; i < 200 && follower.engine.held().size() < 4; i++) step(STEP);
            assertThat(follower.engine.held()).hasSize(4);
        }
    }

    @Test
    void holderAnnotationsAreWrittenOnAcquireAndRenewAndMetricsHaveThePrometheusNames() {
        var registry = new io.micrometer.prometheus.PrometheusMeterRegistry(io.micrometer.prometheus.PrometheusConfig.DEFAULT);
        java.util.concurrent.atomic.AtomicReference<String> mac = new java.util.concurrent.atomic.AtomicReference<>("02:00:00:00:00:01");
        Agent a = h.start("node-a", h.client(), T3, time, time.wallClock(),
                l -> Map.of("l2announcer.dev/interfaces", "eth0=" + mac.get()), LeaseElectionEngine.Options.defaults(T3), registry);
        h.awaitWatching(a);
        var leases = ElectionHarness.leases(2, List.of(a));
        String name = leases.keySet().iterator().next();
        a.engine.campaign(leases);
        stepUntilAllHeld(2);
        assertThat(h.lease(name).getMetadata().getAnnotations()).containsEntry("l2announcer.dev/interfaces", "eth0=02:00:00:00:00:01");
        mac.set("02:00:00:00:00:02");
        for (int i = 0; i < 15; i++) step(STEP);
        assertThat(h.lease(name).getMetadata().getAnnotations()).containsEntry("l2announcer.dev/interfaces", "eth0=02:00:00:00:00:02");
        a.engine.campaign(Map.of());
        settle();
        h.settleUntil(() -> h.lease(name).getMetadata().getAnnotations() == null
                || !h.lease(name).getMetadata().getAnnotations().containsKey("l2announcer.dev/interfaces"));

        String scrape = registry.scrape();
        // The simpleclient exposition (Quarkus' registry) writes labels as {outcome="acquired",}.
        assertThat(scrape).containsPattern("l2announcer_lease_transitions_total\\{outcome=\"acquired\",?} 2.0")
                .containsPattern("l2announcer_lease_transitions_total\\{outcome=\"released\",?} 2.0")
                .containsPattern("l2announcer_lease_transitions_total\\{outcome=\"lost\",?} 0.0")
                .contains("l2announcer_leases_held 0.0")
                .contains("l2announcer_lease_candidates 0.0")
                .contains("l2announcer_lease_acquire_seconds_bucket")
                .contains("l2announcer_lease_renew_failures_total 0.0")
                .containsPattern("l2announcer_api_requests_total\\{verb=\"create\",?} 2.0")
                .containsPattern("l2announcer_api_requests_total\\{verb=\"update\",?} \\d+");
    }

    @Test
    void abandonedLeasesWithoutCandidatesAreDeletedByOneNodeOnly() {
        var options = new LeaseElectionEngine.Options(Duration.ofSeconds(10), Duration.ofMillis(25), Duration.ofMillis(100), Duration.ofMillis(20), Set.of());
        for (int i = 0; i < 3; i++) {
            h.start("node-" + i, h.client(), T3, time, time.wallClock(), l -> Map.of(), options, new io.micrometer.core.instrument.simple.SimpleMeterRegistry());
        }
        h.awaitWatching(h.agents.toArray(Agent[]::new));
        var leases = ElectionHarness.leases(4, h.agents);
        campaignAll(leases);
        settle();
        stepUntilAllHeld(4);
        // The service of the first two leases goes away on every node: released, then nobody claims them.
        var keep = new TreeMap<>(leases);
        var gone = new java.util.ArrayList<>(leases.keySet()).subList(0, 2);
        gone.forEach(keep::remove);
        campaignAll(keep);
        settle();
        h.settleUntil(() -> gone.stream().allMatch(l -> "".equals(h.lease(l).getSpec().getHolderIdentity())));
        for (int i = 0; i < 1000 && gone.stream().anyMatch(l -> h.lease(l) != null); i++) step(Duration.ofMillis(50));
        gone.forEach(l -> assertThat(h.lease(l)).as(l).isNull());
        keep.keySet().forEach(l -> assertThat(h.lease(l)).as(l).isNotNull());
        long deletes = h.agents.stream().mapToLong(a -> (long) a.counter(ElectionMetrics.API_REQUESTS, "verb", "delete")).sum();
        assertThat(deletes).isEqualTo(2);
    }
}
