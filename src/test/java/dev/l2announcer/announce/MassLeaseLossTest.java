package dev.l2announcer.announce;

import static dev.l2announcer.announce.Groups.addr;
import static dev.l2announcer.announce.Groups.group;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.l2announcer.agent.InMemoryNodeDatapath;
import dev.l2announcer.election.LeaderElection;
import dev.l2announcer.election.LeadershipEvent;
import dev.l2announcer.observability.AnnouncerMetrics;
import dev.l2announcer.selection.AnnouncementGroup;
import dev.l2announcer.selection.InMemorySelectionSource;
import dev.l2announcer.selection.SelectionSnapshot;
import dev.l2announcer.time.Ticker;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Losing many leases at once (an API blackhole on a holder: every renew deadline passes together) must cost one
 * plan and one convergence, not one per lease: each convergence is a netlink dump, an attach check, a map list
 * and a diff, and a thousand of them drained for seconds, past the moment other nodes take over. The real
 * announce loop and the real reconciler on its own thread, over the in-memory datapath (the link dump is counted).
 */
class MassLeaseLossTest {
    /** Every usable IPv4 documentation address (192.0.2/24, 198.51.100/24, 203.0.113/24) but .0 and .255: 762. */
    static List<String> documentationAddresses() {
        List<String> out = new ArrayList<>();
        for (String net : List.of("192.0.2.", "198.51.100.", "203.0.113.")) for (int i = 1; i <= 254; i++) out.add(net + i);
        return out;
    }

    final InMemorySelectionSource selection = new InMemorySelectionSource();
    final ScriptedElection election = new ScriptedElection();
    final InMemoryNodeDatapath datapath = new InMemoryNodeDatapath();
    AnnouncementLoop loop;

    @AfterEach
    void stop() {
        if (loop != null) loop.shutdown(Duration.ofSeconds(2));
        datapath.close();
    }

    @Test
    void everyLeaseLostAtOnceIsWithdrawnInAFewConvergencesNotOnePerLease() {
        List<String> ips = documentationAddresses();
        TreeMap<String, AnnouncementGroup> groups = new TreeMap<>();
        for (int i = 0; i < ips.size(); i++) {
            AnnouncementGroup g = group(String.format("svc-%04d", i), true, List.of("n1", "n2"), addr(ips.get(i), "eth0"));
            groups.put(g.leaseName(), g);
        }
        AnnouncerMetrics metrics = new AnnouncerMetrics(new SimpleMeterRegistry(), datapath.map, () -> 0, () -> 0);
        loop = new AnnouncementLoop("n1", selection, election, datapath.sink(metrics, election::mayAnnounce),
                AnnouncementObserver.NONE, Clock.systemUTC(), Ticker.system(), Duration.ZERO);
        loop.start();
        selection.set(new SelectionSnapshot(1, groups));
        await().atMost(Duration.ofSeconds(10)).until(() -> election.campaigned.size() == groups.size());
        election.acquireAll();
        await().atMost(Duration.ofSeconds(10)).until(() -> datapath.map.list().size() == ips.size());

        int dumpsBefore = datapath.devices.listCalls();
        election.loseAll(); // one burst from the election's thread, as when every renew deadline passes together
        await().atMost(Duration.ofSeconds(10)).until(() -> datapath.map.list().isEmpty());
        int convergences = datapath.devices.listCalls() - dumpsBefore;
        // One per leadership event before (762); the loop drains what queued during a pass into the next one.
        assertThat(convergences).as("convergences for %d lost leases", ips.size()).isLessThanOrEqualTo(10);
        await().atMost(Duration.ofSeconds(5)).until(() -> loop.table().size() == 0);
    }

    /** An election driven by the test: every lease it is asked to campaign for is held when the test says so. */
    static final class ScriptedElection implements LeaderElection {
        final Map<String, SortedSet<String>> campaigned = new ConcurrentHashMap<>();
        final Set<String> held = ConcurrentHashMap.newKeySet();
        final List<Consumer<LeadershipEvent>> listeners = new CopyOnWriteArrayList<>();

        void acquireAll() {
            for (String l : campaigned.keySet()) {
                held.add(l);
                listeners.forEach(c -> c.accept(new LeadershipEvent.Acquired(l, Instant.now())));
            }
        }

        void loseAll() {
            for (String l : List.copyOf(held)) {
                held.remove(l);
                listeners.forEach(c -> c.accept(new LeadershipEvent.Lost(l, "renew deadline", Instant.now())));
            }
        }

        @Override
        public void campaign(Map<String, SortedSet<String>> candidatesByLease) {
            campaigned.clear();
            campaigned.putAll(candidatesByLease);
        }

        @Override
        public AutoCloseable subscribe(Consumer<LeadershipEvent> listener) {
            listeners.add(listener);
            return () -> listeners.remove(listener);
        }

        @Override
        public Set<String> held() {
            return Set.copyOf(held);
        }

        @Override
        public boolean mayAnnounce(String lease, long nowNanos) {
            return held.contains(lease);
        }

        @Override
        public List<LeaseView> leases() {
            return List.of();
        }

        @Override
        public void shutdown(Duration timeout) {
        }
    }
}
