package dev.l2announcer.selection;

import dev.l2announcer.announce.AnnouncementFailure;
import dev.l2announcer.announce.AnnouncementPlan;
import dev.l2announcer.announce.AnnouncementPlanner;
import dev.l2announcer.announce.AnnouncementTable;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.Map;
import java.util.Set;

import static dev.l2announcer.selection.Scenario.interfaces;
import static dev.l2announcer.selection.Scenario.matchLabels;
import static dev.l2announcer.selection.Scenario.nodeSelector;
import static dev.l2announcer.selection.Scenario.svc;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.groups.Tuple.tuple;

/**
 * Both layers at once: what the calculator really produces, fed to the planner. A snapshot built by hand can
 * say things the calculator never says (the planner's own tests do), so what reaches {@code dbg failures},
 * the {@code L2AnnounceFailed} event and {@code l2announcer_announce_failures} is checked from real inputs here.
 */
class SelectionToPlanTest {
    private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");

    private static AnnouncementPlan planNotHeld(Scenario sc) {
        return AnnouncementPlanner.plan(sc.compute(), Set.of(), AnnouncementTable.EMPTY, T0);
    }

    @Test
    void candidateWhoseInterfacesMatchNoRegexReportsNoUsableInterface() {
        Scenario sc = new Scenario().policy("p", interfaces("^bond[0-9]+$")) // this node only has eth0
                .service(svc("default", "web").lb("192.0.2.10"));
        SelectionSnapshot s = sc.compute();
        assertThat(AnnouncementPlanner.campaign(s)).as("nothing to announce here: no campaign").isEmpty();
        assertThat(planNotHeld(sc).failures())
                .extracting(AnnouncementFailure::leaseName, f -> f.ip().getHostAddress(), AnnouncementFailure::reason)
                .containsExactly(tuple("cilium-l2announce-default-web", "192.0.2.10",
                        AnnouncementFailure.Reason.NO_USABLE_INTERFACE));
    }

    @Test
    void ipv6OnlyServiceIsCampaignedForByEveryCandidateAndAnnouncedByTheHolder() {
        Scenario sc = new Scenario().policy("p").service(svc("default", "v6").lb("2001:db8::10"));
        for (String node : new String[] {"node-a", "node-b"}) {
            sc.localNode = node;
            assertThat(AnnouncementPlanner.campaign(sc.compute())).as(node).containsOnlyKeys("cilium-l2announce-default-v6");
            assertThat(planNotHeld(sc).failures()).as(node).isEmpty();
        }
        AnnouncementPlan held = AnnouncementPlanner.plan(sc.compute(), Set.of("cilium-l2announce-default-v6"),
                AnnouncementTable.EMPTY, T0);
        assertThat(held.desired()).extracting(a -> dev.l2announcer.datapath.Addresses.format(a.ip()) + "@" + a.interfaceName())
                .containsExactly("2001:db8::10@eth0");
    }

    @Test
    void ipv6ServiceWithoutAUsableInterfaceIsReportedLikeIpv4() {
        Scenario sc = new Scenario().policy("p", interfaces("^bond[0-9]+$")).service(svc("default", "v6").lb("2001:db8::10"));
        assertThat(AnnouncementPlanner.campaign(sc.compute())).isEmpty();
        assertThat(planNotHeld(sc).failures())
                .extracting(AnnouncementFailure::leaseName, f -> dev.l2announcer.datapath.Addresses.format(f.ip()),
                        AnnouncementFailure::reason)
                .containsExactly(tuple("cilium-l2announce-default-v6", "2001:db8::10",
                        AnnouncementFailure.Reason.NO_USABLE_INTERFACE));
    }

    @Test
    void nodeThatIsNoCandidateReportsNothing() {
        Scenario sc = new Scenario().node("node-b", Map.of("zone", "one"))
                .policy("p", nodeSelector(matchLabels("zone", "one")))
                .service(svc("default", "web").lb("192.0.2.10"))
                .service(svc("default", "v6").lb("2001:db8::10"));
        assertThat(planNotHeld(sc).failures()).as("node-a is not selected by the policy: not its problem").isEmpty();
        assertThat(AnnouncementPlanner.campaign(sc.compute())).isEmpty();
        sc.localNode = "node-b";
        assertThat(AnnouncementPlanner.campaign(sc.compute()))
                .containsOnlyKeys("cilium-l2announce-default-web", "cilium-l2announce-default-v6");
    }

    @Test
    void dualStackServiceIsOneCampaignAndTheHolderAnnouncesBothFamilies() {
        Scenario sc = new Scenario().policy("p").service(svc("default", "web").lb("192.0.2.10", "2001:db8::10"));
        SelectionSnapshot s = sc.compute();
        assertThat(AnnouncementPlanner.campaign(s)).containsOnlyKeys("cilium-l2announce-default-web");
        assertThat(planNotHeld(sc).failures()).isEmpty();
        AnnouncementPlan held = AnnouncementPlanner.plan(s, Set.of("cilium-l2announce-default-web"),
                AnnouncementTable.EMPTY, T0);
        assertThat(held.desired()).extracting(a -> dev.l2announcer.datapath.Addresses.format(a.ip()) + "@" + a.lease())
                .containsExactly("192.0.2.10@cilium-l2announce-default-web", "2001:db8::10@cilium-l2announce-default-web");
        assertThat(held.failures()).isEmpty();
    }

    @Test
    void servicesWhoseLeaseNamesCollideAreOneElectionAndBothAreAnnounced() {
        // team/a-web and team-a/web are both cilium-l2announce-team-a-web (Cilium's "%s-%s-%s").
        Scenario sc = new Scenario().policy("p")
                .service(svc("team", "a-web").lb("203.0.113.80"))
                .service(svc("team-a", "web").lb("203.0.113.81"));
        SelectionSnapshot s = sc.compute();
        assertThat(s.groups()).as("one Lease, one election").containsOnlyKeys("cilium-l2announce-team-a-web");
        AnnouncementGroup g = s.groups().get("cilium-l2announce-team-a-web");
        assertThat(g.services()).containsExactly(new ServiceRef("team", "a-web"), new ServiceRef("team-a", "web"));
        assertThat(AnnouncementPlanner.campaign(s)).containsOnlyKeys("cilium-l2announce-team-a-web");

        AnnouncementPlan held = AnnouncementPlanner.plan(s, Set.of("cilium-l2announce-team-a-web"),
                AnnouncementTable.EMPTY, T0);
        assertThat(held.desired()).extracting(la -> la.ip().getHostAddress() + "@" + la.interfaceName())
                .as("the holder announces both").containsExactly("203.0.113.80@eth0", "203.0.113.81@eth0");
        assertThat(held.table().rows()).allSatisfy(r -> assertThat(r.services())
                .containsExactly(new ServiceRef("team", "a-web"), new ServiceRef("team-a", "web")));
        assertThat(held.failures()).isEmpty();
    }

    @Test
    void deletingEitherOfTwoServicesSharingAnIpLeavesTheResponderEntryInPlace() {
        for (String deleted : new String[] {"a", "b"}) {
            Scenario sc = new Scenario().policy("p")
                    .service(svc("default", "a").lb("192.0.2.10"))
                    .service(svc("default", "b").lb("192.0.2.10"));
            SelectionSnapshot before = sc.compute();
            String lease = "cilium-l2announce-default-a";
            AnnouncementPlan announced = AnnouncementPlanner.plan(before, Set.of(lease), AnnouncementTable.EMPTY, T0);
            sc.leasesAsHoldersWrote(before, 100).removeService("default", deleted);

            SelectionSnapshot after = sc.compute();
            assertThat(AnnouncementPlanner.campaign(after)).as("deleted %s", deleted).containsOnlyKeys(lease);
            AnnouncementPlan next = AnnouncementPlanner.plan(after, Set.of(lease), announced.table(), T0.plusSeconds(60));
            assertThat(next.desired()).as("deleted %s", deleted).isEqualTo(announced.desired()).hasSize(1);
            assertThat(next.table().rows()).singleElement().satisfies(r -> {
                assertThat(r.leaseName()).isEqualTo(lease);
                assertThat(r.since()).as("the same row, not a re-announcement").isEqualTo(T0);
            });
        }
    }
}
