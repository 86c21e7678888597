package dev.l2announcer.selection;

import org.junit.jupiter.api.Test;

import java.util.List;

import static dev.l2announcer.selection.Scenario.ip;
import static dev.l2announcer.selection.Scenario.svc;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Which Lease elects a group ({@link GroupNaming}, through the calculator). Every case is computed without a
 * previous snapshot unless it says so: that is what an agent that just restarted computes, so these are also the
 * agreement cases between a running and a restarted agent.
 */
class GroupNamingTest {
    private static final String LEASE_A = "cilium-l2announce-default-a";
    private static final String LEASE_B = "cilium-l2announce-default-b";
    private static final String LEASE_C = "cilium-l2announce-default-c";

    /** a and b share 192.0.2.10; their group's Lease exists as its holder wrote it. */
    private static Scenario sharedIpGroupWithItsLease() {
        Scenario sc = new Scenario().policy("p")
                .service(svc("default", "a").lb("192.0.2.10"))
                .service(svc("default", "b").lb("192.0.2.10"));
        SelectionSnapshot before = sc.compute();
        assertThat(before.groups()).containsOnlyKeys(LEASE_A);
        return sc.leasesAsHoldersWrote(before, 100);
    }

    @Test
    void deletingTheFirstMemberKeepsTheGroupsLease() {
        SelectionSnapshot after = sharedIpGroupWithItsLease().removeService("default", "a").compute();
        assertThat(after.groups()).containsOnlyKeys(LEASE_A);
        assertThat(after.groups().get(LEASE_A).services()).containsExactly(new ServiceRef("default", "b"));
    }

    @Test
    void deletingTheOtherMemberKeepsTheGroupsLease() {
        SelectionSnapshot after = sharedIpGroupWithItsLease().removeService("default", "b").compute();
        assertThat(after.groups()).containsOnlyKeys(LEASE_A);
    }

    @Test
    void aRunningAgentWithItsPreviousSnapshotAgreesWithARestartedOne() {
        Scenario running = sharedIpGroupWithItsLease();
        running.previous.put(ip("192.0.2.10"), LEASE_A);
        Scenario restarted = sharedIpGroupWithItsLease();
        assertThat(running.removeService("default", "a").compute())
                .isEqualTo(restarted.removeService("default", "a").compute());
    }

    @Test
    void aLeaseThatRecordsNothingIsKeptFromThePreviousSnapshot() {
        // Released by a holder that shut down (or written by Cilium): no addresses recorded on it.
        Scenario sc = new Scenario().policy("p").service(svc("default", "b").lb("192.0.2.10")).lease(LEASE_A, 100);
        assertThat(sc.compute().groups()).as("nothing links the Lease to b: b's own name").containsOnlyKeys(LEASE_B);
        sc.previous.put(ip("192.0.2.10"), LEASE_A);
        assertThat(sc.compute().groups()).as("this agent announced b's IP under it").containsOnlyKeys(LEASE_A);
    }

    @Test
    void withoutTheLeasesTheGroupIsNamedAfterItsFirstMember() {
        // No Lease view (not wired): the old rule, which renames the Lease when the first member goes.
        Scenario sc = new Scenario().policy("p")
                .service(svc("default", "a").lb("192.0.2.10"))
                .service(svc("default", "b").lb("192.0.2.10"));
        sc.previous.put(ip("192.0.2.10"), LEASE_A);
        assertThat(sc.removeService("default", "a").compute().groups()).containsOnlyKeys(LEASE_B);
    }

    @Test
    void groupsThatStartSharingAnIpKeepTheOlderLease() {
        Scenario sc = new Scenario().policy("p")
                .service(svc("default", "a").lb("192.0.2.10"))
                .service(svc("default", "b").lb("192.0.2.20", "192.0.2.10"))
                .lease(LEASE_A, 200, "192.0.2.10")
                .lease(LEASE_B, 100, "192.0.2.20");
        assertThat(sc.compute().groups()).as("b's Lease has announced longest").containsOnlyKeys(LEASE_B);
    }

    @Test
    void aSplitGroupKeepsItsLeaseForTheSmallestAddress() {
        // a, b, c shared 192.0.2.10 / .20 under a's Lease; a is gone and b, c no longer share anything.
        Scenario sc = new Scenario().policy("p")
                .service(svc("default", "b").lb("192.0.2.20"))
                .service(svc("default", "c").lb("192.0.2.10"))
                .lease(LEASE_A, 100, "192.0.2.10", "192.0.2.20");
        SelectionSnapshot s = sc.compute();
        assertThat(s.groups()).containsOnlyKeys(LEASE_A, LEASE_B);
        assertThat(s.groups().get(LEASE_A).services()).containsExactly(new ServiceRef("default", "c"));
    }

    @Test
    void aLeaseNamedAfterAMemberElectsThatMembersGroup() {
        // b kept a's Lease; a comes back with another IP: a's Lease is a's again, b gets its own.
        Scenario sc = new Scenario().policy("p")
                .service(svc("default", "a").lb("192.0.2.99"))
                .service(svc("default", "b").lb("192.0.2.10"))
                .lease(LEASE_A, 100, "192.0.2.10");
        SelectionSnapshot s = sc.compute();
        assertThat(s.groups()).containsOnlyKeys(LEASE_A, LEASE_B);
        assertThat(s.groups().get(LEASE_A).services()).containsExactly(new ServiceRef("default", "a"));
    }

    @Test
    void leasesOfNoGroupAreIgnored() {
        Scenario sc = new Scenario().policy("p").service(svc("default", "b").lb("192.0.2.10"))
                .lease(LEASE_C, 1, "198.51.100.1") // its Service is gone with its IP
                .lease(LEASE_A, 2, "192.0.2.10", "198.51.100.1");
        assertThat(sc.compute().groups()).containsOnlyKeys(LEASE_A);
        sc.leases.removeIf(l -> l.name().equals(LEASE_A));
        assertThat(sc.compute().groups()).containsOnlyKeys(LEASE_B);
    }

    @Test
    void namesAreUniqueWhenSeveralGroupsClaimLeases() {
        Scenario sc = new Scenario().policy("p");
        for (int i = 0; i < 20; i++) {
            sc.service(svc("ns" + i % 3, "s" + i).lb("192.0.2." + (i % 7 + 1)));
            sc.lease("cilium-l2announce-gone-" + i, i, "192.0.2." + (i % 5 + 1), "192.0.2." + (i % 3 + 2));
        }
        SelectionSnapshot s = sc.compute();
        assertThat(s.groups()).hasSize(7);
        assertThat(s.groups().values().stream().mapToInt(g -> g.services().size()).sum()).isEqualTo(20);
        assertThat(s.groups().values()).allSatisfy(g -> assertThat(g.leaseName()).startsWith(LeaseNames.NAME_PREFIX));
        List<ExistingLease> shuffled = new java.util.ArrayList<>(sc.leases);
        java.util.Collections.reverse(shuffled);
        sc.leases.clear();
        sc.leases.addAll(shuffled);
        assertThat(sc.compute()).as("independent of the Leases' order").isEqualTo(s);
    }
}
