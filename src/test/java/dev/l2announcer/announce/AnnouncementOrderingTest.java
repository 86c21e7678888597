package dev.l2announcer.announce;

import dev.l2announcer.agent.ReconcilerSink;
import dev.l2announcer.datapath.ResponderEntry;
import dev.l2announcer.datapath.ResponderMap;
import dev.l2announcer.datapath.ResponderReconciler;
import dev.l2announcer.datapath.fake.FakeResponderMap;
import dev.l2announcer.datapath.fake.FakeResponderProgram;
import dev.l2announcer.time.ManualScheduler;
import dev.l2announcer.election.LeaderElection;
import dev.l2announcer.fakes.InMemoryLeases;
import dev.l2announcer.datapath.fake.Links;
import dev.l2announcer.observability.AnnouncerMetrics;
import dev.l2announcer.selection.InMemorySelectionSource;
import dev.l2announcer.selection.SelectionSnapshot;
import dev.l2announcer.time.ManualTime;
import io.micrometer.prometheus.PrometheusConfig;
import io.micrometer.prometheus.PrometheusMeterRegistry;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SortedSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

import static dev.l2announcer.announce.Groups.addr;
import static dev.l2announcer.announce.Groups.group;
import static dev.l2announcer.announce.Groups.snapshot;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The one-answerer invariant across the loop/datapath thread boundary: a lease is released (so a
 * successor may start answering) only after the asynchronous datapath has really removed our
 * entries. The datapath thread is a {@link ManualScheduler} the test pumps, so it can lag behind
 * the loop by as much as the test wants (as a busy datapath thread would).
 */
class AnnouncementOrderingTest {
    private static final String LEASE_A = "cilium-l2announce-default-a";
    private static final String RELEASED = "lease released " + LEASE_A;
    private static final String ADDED = "map added 192.0.2.10";
    private static final String REMOVED = "map removed 192.0.2.10";

    private final ManualTime time = new ManualTime();
    private final InMemoryLeases leases = new InMemoryLeases(time.wallClock());
    private final InMemorySelectionSource selection = new InMemorySelectionSource();
    private final ManualScheduler datapathThread = new ManualScheduler();
    private final List<String> log = new CopyOnWriteArrayList<>();
    private final RecordingMap map = new RecordingMap();
    private ReconcilerSink sink;
    private AnnouncementLoop loop;

    @BeforeEach
    void start() {
        sink = new ReconcilerSink(l -> new ResponderReconciler(map, new FakeResponderProgram(), Links.loAndEth0(1),
                (d, ip) -> log.add("garp " + ip.getHostAddress()), datapathThread, datapathThread, 1,
                Duration.ofMillis(100), Duration.ofSeconds(5), (lease, now) -> true, l),
                new AnnouncerMetrics(new PrometheusMeterRegistry(PrometheusConfig.DEFAULT), map, () -> 0, () -> 0));
        datapathThread.runPending(); // the reconciler's start: converged to the empty set
        loop = new AnnouncementLoop("n1", selection, new RecordingElection(leases.node("n1")), sink, r -> { },
                time.wallClock(), time, Duration.ZERO);
        loop.start();
    }

    @AfterEach
    void stop() {
        CompletableFuture<Boolean> stopped = CompletableFuture.supplyAsync(() -> loop.shutdown(Duration.ofSeconds(2)));
        await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(10)).until(() -> {
            datapathThread.runPending();
            return stopped.isDone();
        });
    }

    private static SelectionSnapshot announced(long version) {
        return snapshot(version, group("a", true, List.of("n1", "n2"), addr("192.0.2.10", "eth0")));
    }

    private static SelectionSnapshot noLongerCandidate(long version) {
        return snapshot(version, group("a", false, List.of("n2"), addr("192.0.2.10")));
    }

    /**
     * The loop handed {A} to the datapath, which installed it; the table shows it only once the datapath
     * confirmed it (the loop waits for the convergence of what it asked for).
     */
    private void holdLeaseAnnounced() {
        selection.set(announced(1));
        await().atMost(Duration.ofSeconds(1)).during(Duration.ofMillis(200)).until(() -> loop.table().size() == 0);
        await().atMost(Duration.ofSeconds(5)).pollInterval(Duration.ofMillis(10)).until(() -> {
            datapathThread.runPending();
            return loop.table().size() == 1;
        });
        assertThat(log).containsExactly(ADDED, "garp 192.0.2.10");
    }

    /** Asserts the release has not happened while the datapath thread is held back. */
    private void assertNoReleaseWhileDatapathLags() {
        await().during(Duration.ofMillis(200)).atMost(Duration.ofSeconds(1)).until(() -> !log.contains(RELEASED));
    }

    @Test
    void shutdownReleasesOnlyAfterTheDatapathRanTheWithdrawalNotAnOlderQueuedSet() {
        holdLeaseAnnounced();
        CompletableFuture<Boolean> stopped = CompletableFuture.supplyAsync(() -> loop.shutdown(Duration.ofSeconds(2)));
        assertNoReleaseWhileDatapathLags();
        await().atMost(Duration.ofSeconds(5)).pollInterval(Duration.ofMillis(10)).until(() -> {
            datapathThread.runPending();
            return stopped.isDone();
        });
        assertThat(stopped.join()).as("withdrawn and released").isTrue();
        assertThat(log).containsExactly(ADDED, "garp 192.0.2.10", REMOVED, RELEASED);
        assertThat(leases.holders()).doesNotContainKey(LEASE_A);
        assertThat(map.list()).isEmpty();
    }

    @Test
    void shutdownDoesNotReleaseWhenTheDatapathNeverConfirmsTheWithdrawal() {
        holdLeaseAnnounced();
        // The datapath thread never runs: the withdrawal cannot be confirmed.
        assertThat(loop.shutdown(Duration.ofSeconds(2))).as("graceful release skipped").isFalse();
        assertThat(log).doesNotContain(RELEASED);
        assertThat(leases.holders()).as("left to expire, not handed to a successor").containsEntry(LEASE_A, "n1");
    }

    @Test
    void leaseDroppedFromTheCampaignIsReleasedOnlyAfterTheDatapathRemovedItsEntries() {
        selection.set(announced(1));
        await().atMost(Duration.ofSeconds(5)).pollInterval(Duration.ofMillis(10)).until(() -> {
            datapathThread.runPending();
            return log.contains(ADDED);
        });
        selection.set(noLongerCandidate(2));
        assertNoReleaseWhileDatapathLags();
        await().atMost(Duration.ofSeconds(5)).pollInterval(Duration.ofMillis(10)).until(() -> {
            datapathThread.runPending();
            return log.contains(RELEASED);
        });
        assertThat(log).containsExactly(ADDED, "garp 192.0.2.10", REMOVED, RELEASED);
        // The loop's next pass waits for the datapath too: keep its thread running.
        await().atMost(Duration.ofSeconds(5)).pollInterval(Duration.ofMillis(10)).until(() -> {
            datapathThread.runPending();
            return loop.table().size() == 0;
        });
        assertThat(leases.holders()).doesNotContainKey(LEASE_A);
    }

    /** Logs what the datapath thread really did to the map. */
    private final class RecordingMap implements ResponderMap {
        private final FakeResponderMap map = new FakeResponderMap();

        @Override
        public void put(ResponderEntry entry) {
            map.put(entry);
        }

        @Override
        public void delete(ResponderEntry entry) {
            map.delete(entry);
        }

        @Override
        public Map<ResponderEntry, Long> list() {
            return map.list();
        }

        @Override
        public int capacity() {
            return map.capacity();
        }

        @Override
        public SyncResult sync(Set<ResponderEntry> desired) {
            SyncResult r = map.sync(desired);
            r.added().forEach(e -> log.add("map added " + e.ip().getHostAddress()));
            r.removed().forEach(e -> log.add("map removed " + e.ip().getHostAddress()));
            return r;
        }
    }

    /** Logs a release at the moment it is handed to the election (a successor may acquire from then on). */
    private final class RecordingElection implements LeaderElection {
        private final LeaderElection delegate;

        RecordingElection(LeaderElection delegate) {
            this.delegate = delegate;
        }

        @Override
        public void campaign(Map<String, SortedSet<String>> candidatesByLease) {
            delegate.held().stream().filter(l -> !candidatesByLease.containsKey(l)).forEach(l -> log.add("lease released " + l));
            delegate.campaign(candidatesByLease);
        }

        @Override
        public AutoCloseable subscribe(Consumer<dev.l2announcer.election.LeadershipEvent> listener) {
            return delegate.subscribe(listener);
        }

        @Override
        public Set<String> held() {
            return delegate.held();
        }

        @Override
        public boolean mayAnnounce(String lease, long nowNanos) {
            return delegate.mayAnnounce(lease, nowNanos);
        }

        @Override
        public List<LeaseView> leases() {
            return delegate.leases();
        }

        @Override
        public void shutdown(Duration timeout) {
            delegate.held().forEach(l -> log.add("lease released " + l));
            delegate.shutdown(timeout);
        }
    }
}
