package dev.l2announcer.announce;

import dev.l2announcer.datapath.ResponderEntry;
import dev.l2announcer.datapath.fake.Links;
import dev.l2announcer.fakes.InMemoryLeases;
import dev.l2announcer.datapath.fake.FakeResponderMap;
import dev.l2announcer.selection.InMemorySelectionSource;
import dev.l2announcer.datapath.fake.FakeNeighbourAnnouncer;
import dev.l2announcer.selection.SelectionSnapshot;
import dev.l2announcer.time.ManualTime;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.net.Inet4Address;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import static dev.l2announcer.announce.Groups.addr;
import static dev.l2announcer.announce.Groups.group;
import static dev.l2announcer.announce.Groups.ip;
import static dev.l2announcer.announce.Groups.snapshot;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

class AnnouncementLoopTest {
    private static final String LEASE_A = "cilium-l2announce-default-a";
    private final ManualTime time = new ManualTime();
    private final InMemoryLeases leases = new InMemoryLeases(time.wallClock());
    private final List<Agent> agents = new ArrayList<>();

    /** One in-process node: its own selection view, map, GARP recorder and loop. */
    private final class Agent {
        final String node;
        final InMemorySelectionSource selection = new InMemorySelectionSource();
        final FakeResponderMap map = new FakeResponderMap();
        final FakeNeighbourAnnouncer garp = new FakeNeighbourAnnouncer();
        final List<ReconcileReport> reports = new CopyOnWriteArrayList<>();
        final AnnouncementLoop loop;

        Agent(String node, int macByte) {
            this.node = node;
            loop = new AnnouncementLoop(node, selection, leases.node(node),
                    new PortResponderSink(map, Links.loAndEth0(macByte), garp), reports::add,
                    time.wallClock(), time, Duration.ZERO);
            loop.start();
            agents.add(this);
        }

        List<String> entries() {
            return map.list().keySet().stream().map(e -> e.ip().getHostAddress() + "@" + e.ifindex()).sorted().toList();
        }
    }

    @AfterEach
    void stop() {
        agents.forEach(a -> a.loop.shutdown(Duration.ofSeconds(2)));
    }

    private static SelectionSnapshot twoCandidates(long v, boolean n1Local, boolean n2Local, String node) {
        boolean local = node.equals("n1") ? n1Local : n2Local;
        List<String> cands = new ArrayList<>();
        if (n1Local) cands.add("n1");
        if (n2Local) cands.add("n2");
        return snapshot(v, group("a", local, cands, local ? addr("192.0.2.10", "eth0") : addr("192.0.2.10")));
    }

    private void publish(Agent a1, Agent a2, long v, boolean n1, boolean n2) {
        a1.selection.set(twoCandidates(v, n1, n2, "n1"));
        a2.selection.set(twoCandidates(v, n1, n2, "n2"));
    }

    private static Agent holderOf(Agent a1, Agent a2) {
        return a1.entries().isEmpty() ? a2 : a1;
    }

    @Test
    void exactlyOneNodeInstallsAndGarpsAndTheTakeoverIsReported() {
        Agent a1 = new Agent("n1", 1);
        Agent a2 = new Agent("n2", 2);
        publish(a1, a2, 1, true, true);
        await().atMost(Duration.ofSeconds(5)).until(() -> a1.entries().size() + a2.entries().size() == 1);
        a1.loop.flush(Duration.ofSeconds(2));
        a2.loop.flush(Duration.ofSeconds(2));
        Agent holder = holderOf(a1, a2);
        Agent other = holder == a1 ? a2 : a1;
        assertThat(leases.holders()).containsEntry(LEASE_A, holder.node);
        assertThat(holder.entries()).containsExactly("192.0.2.10@2");
        assertThat(other.entries()).isEmpty();
        assertThat(holder.garp.sent()).containsExactly(new FakeNeighbourAnnouncer.Sent("eth0", 2, (Inet4Address) ip("192.0.2.10")));
        assertThat(other.garp.sent()).isEmpty();
        assertThat(holder.loop.table().rows()).singleElement().satisfies(r -> {
            assertThat(r.leaseName()).isEqualTo(LEASE_A);
            assertThat(r.interfaceName()).isEqualTo("eth0");
        });
        assertThat(holder.reports).flatExtracting(ReconcileReport::takeovers).extracting(ReconcileReport.Takeover::leaseName)
                .containsExactly(LEASE_A);
        assertThat(other.reports).flatExtracting(ReconcileReport::takeovers).isEmpty();
    }

    @Test
    void losingTheLeaseWithdrawsAtOnceAndTheOtherNodeTakesOver() {
        Agent a1 = new Agent("n1", 1);
        Agent a2 = new Agent("n2", 2);
        publish(a1, a2, 1, true, true);
        await().atMost(Duration.ofSeconds(5)).until(() -> a1.entries().size() + a2.entries().size() == 1);
        Agent first = holderOf(a1, a2);
        Agent second = first == a1 ? a2 : a1;
        leases.revoke(LEASE_A);
        await().atMost(Duration.ofSeconds(5)).until(() -> first.entries().isEmpty() && second.entries().size() == 1);
        assertThat(first.loop.table().rows()).isEmpty();
        assertThat(second.loop.table().rows()).hasSize(1);
    }

    @Test
    void nodeNoLongerCandidateWithdrawsAndAnotherTakesOver() {
        Agent a1 = new Agent("n1", 1);
        Agent a2 = new Agent("n2", 2);
        publish(a1, a2, 1, true, true);
        await().atMost(Duration.ofSeconds(5)).until(() -> a1.entries().size() + a2.entries().size() == 1);
        boolean n1Held = !a1.entries().isEmpty();
        // The holder's node stops matching the policy.
        publish(a1, a2, 2, !n1Held, n1Held);
        Agent next = n1Held ? a2 : a1;
        Agent gone = n1Held ? a1 : a2;
        await().atMost(Duration.ofSeconds(5)).until(() -> gone.entries().isEmpty() && next.entries().size() == 1);
        assertThat(leases.holders()).containsEntry(LEASE_A, next.node);
    }

    @Test
    void groupGoneRemovesEverything() {
        Agent a1 = new Agent("n1", 1);
        a1.selection.set(snapshot(1, group("a", true, List.of("n1"), addr("192.0.2.10", "eth0"))));
        await().atMost(Duration.ofSeconds(5)).until(() -> a1.entries().size() == 1);
        a1.selection.set(snapshot(2));
        await().atMost(Duration.ofSeconds(5)).until(() -> a1.entries().isEmpty());
        assertThat(leases.holders()).isEmpty();
    }

    @Test
    void shutdownWithdrawsEntriesAndReleasesLeases() {
        Agent a1 = new Agent("n1", 1);
        a1.selection.set(snapshot(1, group("a", true, List.of("n1"), addr("192.0.2.10", "eth0"))));
        await().atMost(Duration.ofSeconds(5)).until(() -> a1.entries().size() == 1);
        a1.loop.shutdown(Duration.ofSeconds(2));
        assertThat(a1.map.list()).isEmpty();
        assertThat(leases.holders()).isEmpty();
    }

    @Test
    void datapathErrorIsReportedAndRetried() {
        Agent a1 = new Agent("n1", 1);
        // The pass over the initial empty snapshot must not eat the one-shot failure.
        await().atMost(Duration.ofSeconds(5)).until(a1.loop::converged);
        a1.map.failNext(new IllegalStateException("EPERM"));
        a1.selection.set(snapshot(1, group("a", true, List.of("n1"), addr("192.0.2.10", "eth0"))));
        // First pass fails (the fake throws once), the retry a second later installs the entry.
        await().atMost(Duration.ofSeconds(5)).until(() -> a1.entries().size() == 1);
        assertThat(a1.reports).flatExtracting(ReconcileReport::newFailures).extracting(AnnouncementFailure::reason)
                .contains(AnnouncementFailure.Reason.DATAPATH_ERROR);
        assertThat(a1.loop.table().rows()).hasSize(1);
        assertThat(a1.loop.failures()).isEmpty();
    }

    @Test
    void interfaceMissingOnTheNodeIsAFailureNotAnEntry() {
        Agent a1 = new Agent("n1", 1);
        a1.selection.set(snapshot(1, group("a", true, List.of("n1"), addr("192.0.2.10", "eth0", "eth9"))));
        await().atMost(Duration.ofSeconds(5)).until(() -> a1.entries().size() == 1);
        a1.loop.flush(Duration.ofSeconds(2));
        assertThat(a1.loop.failures()).singleElement().satisfies(f -> {
            assertThat(f.interfaceName()).isEqualTo("eth9");
            assertThat(f.reason()).isEqualTo(AnnouncementFailure.Reason.NO_USABLE_INTERFACE);
        });
        assertThat(a1.loop.table().rows()).extracting(AnnouncementRow::interfaceName).containsExactly("eth0");
    }

    @Test
    void mapFullEntriesAreFailuresNotRows() {
        InMemorySelectionSource sel = new InMemorySelectionSource();
        FakeResponderMap map = new FakeResponderMap(1);
        AnnouncementLoop loop = new AnnouncementLoop("n1", sel, leases.node("n1"),
                new PortResponderSink(map, Links.loAndEth0(1), new FakeNeighbourAnnouncer()),
                AnnouncementObserver.NONE, time.wallClock(), time, Duration.ZERO);
        loop.start();
        try {
            sel.set(snapshot(1, group("a", true, List.of("n1"), addr("192.0.2.10", "eth0"), addr("192.0.2.11", "eth0"))));
            await().atMost(Duration.ofSeconds(5)).until(() -> !loop.failures().isEmpty());
            assertThat(map.list().keySet()).extracting(ResponderEntry::ip).containsExactly((Inet4Address) ip("192.0.2.10"));
            assertThat(loop.failures()).singleElement().extracting(AnnouncementFailure::reason)
                    .isEqualTo(AnnouncementFailure.Reason.MAP_FULL);
        } finally {
            loop.shutdown(Duration.ofSeconds(2));
        }
    }
}
