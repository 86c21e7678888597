package dev.l2announcer.announce;

import dev.l2announcer.datapath.LocalAnnouncement;

import dev.l2announcer.selection.AnnouncementGroup;
import dev.l2announcer.selection.SelectionSnapshot;
import dev.l2announcer.selection.ServiceRef;
import org.junit.jupiter.api.Test;

import java.net.Inet4Address;
import java.time.Instant;
import java.util.List;
import java.util.Set;

import static dev.l2announcer.announce.Groups.addr;
import static dev.l2announcer.announce.Groups.group;
import static dev.l2announcer.announce.Groups.ip;
import static dev.l2announcer.announce.Groups.snapshot;
import static org.assertj.core.api.Assertions.assertThat;

class AnnouncementPlannerTest {
    private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");
    private static final Instant T1 = T0.plusSeconds(60);
    private static final String LEASE_A = "cilium-l2announce-default-a";
    private static final String LEASE_B = "cilium-l2announce-default-b";

    private static LocalAnnouncement la(String ip, String ifname, String lease) {
        return new LocalAnnouncement(ip(ip), ifname, lease);
    }

    @Test
    void campaignsOnlyForLocalCandidateGroupsWithAnAddressOnAUsableInterface() {
        SelectionSnapshot s = snapshot(1,
                group("a", true, List.of("n1", "n2"), addr("192.0.2.10", "eth0")),
                group("b", false, List.of("n2"), addr("192.0.2.11", "eth0")),
                group("c", true, List.of("n1"), addr("192.0.2.12"), addr("2001:db8::12")), // no usable interface
                group("d", true, List.of("n1"), addr("2001:db8::1", "eth0")));     // IPv6 only
        assertThat(AnnouncementPlanner.campaign(s)).containsOnlyKeys(LEASE_A, "cilium-l2announce-default-d");
        assertThat(AnnouncementPlanner.campaign(s).get(LEASE_A)).containsExactly("n1", "n2");
    }

    @Test
    void heldLeaseYieldsOneRowPerIpv4AndInterface() {
        SelectionSnapshot s = snapshot(1, group("a", true, List.of("n1"),
                addr("192.0.2.10", "eth0", "eth1"), addr("192.0.2.9", "eth0")));
        AnnouncementPlan p = AnnouncementPlanner.plan(s, Set.of(LEASE_A), AnnouncementTable.EMPTY, T0);
        assertThat(p.desired()).containsExactly(la("192.0.2.9", "eth0", LEASE_A), la("192.0.2.10", "eth0", LEASE_A), la("192.0.2.10", "eth1", LEASE_A));
        assertThat(p.table().rows()).extracting(r -> r.ip().getHostAddress() + "@" + r.interfaceName())
                .containsExactly("192.0.2.9@eth0", "192.0.2.10@eth0", "192.0.2.10@eth1");
        assertThat(p.table().rows()).allSatisfy(r -> {
            assertThat(r.leaseName()).isEqualTo(LEASE_A);
            assertThat(r.services()).containsExactly(new ServiceRef("default", "a"));
            assertThat(r.since()).isEqualTo(T0);
        });
        assertThat(p.failures()).isEmpty();
    }

    @Test
    void notHeldMeansNothingInstalled() {
        SelectionSnapshot s = snapshot(1, group("a", true, List.of("n1", "n2"), addr("192.0.2.10", "eth0")));
        AnnouncementPlan p = AnnouncementPlanner.plan(s, Set.of(), AnnouncementTable.EMPTY, T0);
        assertThat(p.desired()).isEmpty();
        assertThat(p.table().rows()).isEmpty();
        assertThat(p.failures()).isEmpty();
    }

    @Test
    void heldButNoLongerCandidateIsWithdrawnAtOnce() {
        SelectionSnapshot s = snapshot(2, group("a", false, List.of("n2"), addr("192.0.2.10")));
        AnnouncementPlan p = AnnouncementPlanner.plan(s, Set.of(LEASE_A), AnnouncementTable.EMPTY, T0);
        assertThat(p.desired()).isEmpty();
        assertThat(p.failures()).isEmpty();
    }

    @Test
    void heldLeaseWhoseGroupVanishedIsWithdrawn() {
        AnnouncementPlan p = AnnouncementPlanner.plan(SelectionSnapshot.EMPTY, Set.of(LEASE_A), AnnouncementTable.EMPTY, T0);
        assertThat(p.desired()).isEmpty();
    }

    @Test
    void dualStackHeldGroupIsAnnouncedInBothFamiliesAndInterfacelessAddressesAreReported() {
        SelectionSnapshot s = snapshot(1, group("a", true, List.of("n1"),
                addr("192.0.2.10", "eth0"), addr("2001:db8::10", "eth0"), addr("192.0.2.11"), addr("2001:db8::11")));
        AnnouncementPlan p = AnnouncementPlanner.plan(s, Set.of(LEASE_A), AnnouncementTable.EMPTY, T0);
        assertThat(p.desired()).containsExactly(la("192.0.2.10", "eth0", LEASE_A), la("2001:db8::10", "eth0", LEASE_A));
        assertThat(p.table().rows()).extracting(r -> dev.l2announcer.datapath.Addresses.format(r.ip()))
                .containsExactly("192.0.2.10", "2001:db8::10");
        assertThat(p.failures()).extracting(f -> dev.l2announcer.datapath.Addresses.format(f.ip()) + " " + f.reason())
                .containsExactlyInAnyOrder("2001:db8::11 NO_USABLE_INTERFACE", "192.0.2.11 NO_USABLE_INTERFACE");
    }

    @Test
    void candidateThatCannotAnnounceReportsWhyWithoutCampaigning() {
        SelectionSnapshot s = snapshot(1,
                group("a", true, List.of("n1"), addr("192.0.2.10"), addr("2001:db8::10")),
                group("b", true, List.of("n1"), addr("2001:db8::1", "eth0")));
        AnnouncementPlan p = AnnouncementPlanner.plan(s, Set.of(), AnnouncementTable.EMPTY, T0);
        assertThat(p.failures()).extracting(AnnouncementFailure::leaseName, AnnouncementFailure::reason)
                .containsExactly(
                        org.assertj.core.groups.Tuple.tuple(LEASE_A, AnnouncementFailure.Reason.NO_USABLE_INTERFACE),
                        org.assertj.core.groups.Tuple.tuple(LEASE_A, AnnouncementFailure.Reason.NO_USABLE_INTERFACE));
        assertThat(AnnouncementPlanner.campaign(s)).as("an IPv6-only group with an interface campaigns")
                .containsOnlyKeys(LEASE_B);
    }

    @Test
    void rowsThatStayKeepTheirSinceNewOnesStartNow() {
        SelectionSnapshot s1 = snapshot(1, group("a", true, List.of("n1"), addr("192.0.2.10", "eth0")));
        AnnouncementTable t1 = AnnouncementPlanner.plan(s1, Set.of(LEASE_A), AnnouncementTable.EMPTY, T0).table();
        SelectionSnapshot s2 = snapshot(2, group("a", true, List.of("n1"), addr("192.0.2.10", "eth0", "eth1")));
        AnnouncementTable t2 = AnnouncementPlanner.plan(s2, Set.of(LEASE_A), t1, T1).table();
        assertThat(t2.find(ip("192.0.2.10"), "eth0").orElseThrow().since()).isEqualTo(T0);
        assertThat(t2.find(ip("192.0.2.10"), "eth1").orElseThrow().since()).isEqualTo(T1);
    }

    @Test
    void sharedIpGroupListsAllItsServicesOnEachRow() {
        AnnouncementGroup shared = new AnnouncementGroup(LEASE_A,
                List.of(new ServiceRef("default", "a"), new ServiceRef("default", "a-udp")),
                List.of(addr("192.0.2.10", "eth0")), new java.util.TreeSet<>(List.of("n1")), true);
        AnnouncementPlan p = AnnouncementPlanner.plan(snapshot(1, shared), Set.of(LEASE_A), AnnouncementTable.EMPTY, T0);
        assertThat(p.table().rows()).singleElement().satisfies(r -> assertThat(r.services())
                .containsExactly(new ServiceRef("default", "a"), new ServiceRef("default", "a-udp")));
    }

    @Test
    void installedDropsRowsTheDatapathRejected() {
        SelectionSnapshot s = snapshot(1, group("a", true, List.of("n1"), addr("192.0.2.10", "eth0", "eth1")));
        AnnouncementPlan p = AnnouncementPlanner.plan(s, Set.of(LEASE_A), AnnouncementTable.EMPTY, T0);
        AnnouncementTable t = AnnouncementPlanner.installed(p.table(),
                java.util.Map.of(la("192.0.2.10", "eth1", LEASE_A), AnnouncementFailure.Reason.MAP_FULL));
        assertThat(t.rows()).extracting(AnnouncementRow::interfaceName).containsExactly("eth0");
    }
}
