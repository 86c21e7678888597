package dev.l2announcer.datapath;

import dev.l2announcer.datapath.LocalAnnouncement;
import dev.l2announcer.datapath.fake.FakeDevices;
import dev.l2announcer.datapath.fake.FakeNeighbourAnnouncer;
import dev.l2announcer.datapath.fake.FakeResponderMap;
import dev.l2announcer.datapath.fake.FakeResponderProgram;
import dev.l2announcer.time.ManualScheduler;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

class ResponderReconcilerTest {
    static final Duration GARP_INTERVAL = Duration.ofMillis(500);
    static final Duration LIVENESS = Duration.ofSeconds(5);
    static final Inet4Address VIP = ip("192.0.2.100"), VIP2 = ip("192.0.2.101");

    FakeResponderMap map = new FakeResponderMap();
    FakeResponderProgram program = new FakeResponderProgram();
    FakeDevices devices = new FakeDevices(List.of(dev(1, "lo", true, true), dev(2, "eth0", true, false), dev(3, "eth1", true, false)));
    FakeNeighbourAnnouncer garp = new FakeNeighbourAnnouncer();
    ManualScheduler sched = new ManualScheduler();
    List<String> errors = new ArrayList<>();
    /** Leases the election says this node may no longer answer for (renew deadline passed, or not held). */
    Set<String> fenced = new HashSet<>();
    LeaseFence fence = (lease, now) -> !fenced.contains(lease);
    ResponderReconciler r;

    static Inet4Address ip(String s) {
        try {
            return (Inet4Address) InetAddress.getByName(s);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    static Device dev(int ifindex, String name, boolean up, boolean loopback) {
        return new Device(ifindex, name, loopback ? new MacAddress(0) : new MacAddress(0x0200_0000_0000L + ifindex), up, loopback,
                up ? "up" : "down", "", 0);
    }

    @BeforeEach
    void start() {
        map.put(new ResponderEntry(ip("192.0.2.99"), 2)); // left by a previous run / someone else
        r = new ResponderReconciler(map, program, devices, garp, sched, sched, 3, GARP_INTERVAL, LIVENESS, fence,
                new ResponderReconciler.Listener() {
                    @Override
                    public void datapathError(String operation, RuntimeException error) {
                        errors.add(operation);
                    }
                });
        r.start();
        sched.runPending();
    }

    List<FakeNeighbourAnnouncer.Sent> sentFor(InetAddress ip) {
        return garp.sent().stream().filter(s -> s.ip().equals(ip)).toList();
    }

    @Test
    void startClearsEntriesNobodyAskedForAndRefreshesLiveness() {
        assertThat(map.list()).isEmpty();
        assertThat(program.livenessRefreshes()).isEqualTo(1);
        assertThat(devices.subscribers()).isEqualTo(1);
        sched.advance(LIVENESS);
        sched.advance(LIVENESS);
        assertThat(program.livenessRefreshes()).isEqualTo(3);
    }

    @Test
    void newEntryIsMappedAttachedAndAnnouncedInABurst() {
        r.desire(Set.of(new LocalAnnouncement(VIP, "eth0", "cilium-l2announce-default-test")));
        sched.runPending();
        assertThat(map.list()).containsOnlyKeys(new ResponderEntry(VIP, 2));
        assertThat(program.attachedInterfaces()).containsExactly("eth0");
        assertThat(sentFor(VIP)).containsExactly(new FakeNeighbourAnnouncer.Sent("eth0", 2, VIP));
        sched.advance(GARP_INTERVAL);
        assertThat(sentFor(VIP)).hasSize(2);
        sched.advance(GARP_INTERVAL);
        assertThat(sentFor(VIP)).hasSize(3);
        sched.advance(GARP_INTERVAL.multipliedBy(10));
        assertThat(sentFor(VIP)).as("burst is garpRepeats long").hasSize(3);
        assertThat(r.garpsSentPerInterface()).containsEntry("eth0", 3L);
        assertThat(r.mapEntries()).isEqualTo(1);
    }

    @Test
    void convergedNamesWhichDesiredSetIsInEffectAndTheNewestQueuedSetWins() {
        List<String> converged = new ArrayList<>();
        ResponderReconciler rr = new ResponderReconciler(map, program, devices, garp, sched, sched, 1, GARP_INTERVAL, LIVENESS,
                fence, new ResponderReconciler.Listener() {
                    @Override
                    public void converged(long desiredSeq, int mapEntries, Map<LocalAnnouncement, DatapathFailure> failed) {
                        converged.add(desiredSeq + ":" + mapEntries);
                    }
                });
        rr.start();
        sched.runPending();
        assertThat(converged).containsExactly("0:0");
        long first = rr.desire(Set.of(new LocalAnnouncement(VIP, "eth0", "cilium-l2announce-default-test")));
        sched.runPending();
        assertThat(converged).containsExactly("0:0", first + ":1");
        // Three sets handed in before the reconciler thread runs: one convergence, to the newest.
        rr.desire(Set.of());
        rr.desire(Set.of(new LocalAnnouncement(VIP, "eth0", "cilium-l2announce-default-test")));
        long third = rr.desire(Set.of());
        assertThat(converged).as("nothing reported before the reconciler thread ran").hasSize(2);
        sched.runPending();
        // {A} and {} both put counts an entry-count check could confuse; the sequence names the set in effect.
        assertThat(converged).containsExactly("0:0", first + ":1", third + ":0");
        assertThat(map.list()).isEmpty();
    }

    @Test
    void stayingEntriesKeepCountersAndAreNotReannounced() {
        r.desire(Set.of(new LocalAnnouncement(VIP, "eth0", "cilium-l2announce-default-test")));
        sched.advance(Duration.ofSeconds(5));
        map.answered(new ResponderEntry(VIP, 2));
        garp.clear();
        r.desire(Set.of(new LocalAnnouncement(VIP, "eth0", "cilium-l2announce-default-test"), new LocalAnnouncement(VIP2, "eth0", "cilium-l2announce-default-test")));
        sched.advance(Duration.ofSeconds(5));
        assertThat(map.list()).containsEntry(new ResponderEntry(VIP, 2), 1L).containsEntry(new ResponderEntry(VIP2, 2), 0L);
        assertThat(sentFor(VIP)).isEmpty();
        assertThat(sentFor(VIP2)).hasSize(3);
        assertThat(r.responsesSent()).containsEntry(new ResponderEntry(VIP, 2), 1L);
    }

    @Test
    void removedEntryIsDeletedItsBurstStopsAndTheIdleInterfaceIsDetached() {
        r.desire(Set.of(new LocalAnnouncement(VIP, "eth0", "cilium-l2announce-default-test"), new LocalAnnouncement(VIP2, "eth1", "cilium-l2announce-default-test")));
        sched.runPending();
        r.desire(Set.of(new LocalAnnouncement(VIP2, "eth1", "cilium-l2announce-default-test")));
        sched.advance(Duration.ofSeconds(5));
        assertThat(map.list()).containsOnlyKeys(new ResponderEntry(VIP2, 3));
        assertThat(sentFor(VIP)).hasSize(1);
        assertThat(program.attachedInterfaces()).containsExactly("eth1");
    }

    @Test
    void recreatedLinkGetsEntriesRekeyedProgramReattachedAndANewBurst() {
        r.desire(Set.of(new LocalAnnouncement(VIP, "eth0", "cilium-l2announce-default-test")));
        sched.advance(Duration.ofSeconds(5));
        garp.clear();
        devices.set(List.of(dev(1, "lo", true, true), dev(9, "eth0", true, false), dev(3, "eth1", true, false)));
        sched.advance(Duration.ofSeconds(5));
        assertThat(map.list()).containsOnlyKeys(new ResponderEntry(VIP, 9));
        assertThat(program.attachedDevice("eth0").ifindex()).isEqualTo(9);
        assertThat(sentFor(VIP)).hasSize(3).allMatch(s -> s.ifindex() == 9);
    }

    @Test
    void linkDownSendsNothingAndLinkUpReannounces() {
        r.desire(Set.of(new LocalAnnouncement(VIP, "eth0", "cilium-l2announce-default-test")));
        sched.advance(Duration.ofSeconds(5));
        garp.clear();
        devices.set(List.of(dev(2, "eth0", false, false)));
        sched.advance(Duration.ofSeconds(5));
        assertThat(garp.sent()).isEmpty();
        assertThat(map.list()).as("entry kept while down").containsOnlyKeys(new ResponderEntry(VIP, 2));
        devices.set(List.of(dev(2, "eth0", true, false)));
        sched.runPending();
        assertThat(sentFor(VIP)).hasSize(1);
        sched.advance(Duration.ofSeconds(5));
        assertThat(sentFor(VIP)).hasSize(3);
    }

    @Test
    void missingInterfaceIsUnresolvedUntilItAppears() {
        r.desire(Set.of(new LocalAnnouncement(VIP, "eth7", "cilium-l2announce-default-test"), new LocalAnnouncement(VIP2, "lo", "cilium-l2announce-default-test")));
        sched.runPending();
        assertThat(map.list()).isEmpty();
        assertThat(r.failed().keySet()).containsExactlyInAnyOrder(new LocalAnnouncement(VIP, "eth7", "cilium-l2announce-default-test"), new LocalAnnouncement(VIP2, "lo", "cilium-l2announce-default-test"));
        devices.set(List.of(dev(1, "lo", true, true), dev(7, "eth7", true, false)));
        sched.runPending();
        assertThat(map.list()).containsOnlyKeys(new ResponderEntry(VIP, 7));
        assertThat(sentFor(VIP)).hasSize(1);
        assertThat(r.failed().keySet()).containsExactly(new LocalAnnouncement(VIP2, "lo", "cilium-l2announce-default-test"));
    }

    @Test
    void failuresAreCountedReportedAndRetried() {
        map.failNext(new DatapathException("BPF_MAP_UPDATE_ELEM", 12, "ENOMEM", null));
        r.desire(Set.of(new LocalAnnouncement(VIP, "eth0", "cilium-l2announce-default-test")));
        sched.runPending();
        assertThat(r.datapathErrors()).isEqualTo(1);
        assertThat(errors).containsExactly("reconcile");
        assertThat(map.list()).isEmpty();
        sched.advance(ResponderReconciler.RETRY_DELAY);
        assertThat(map.list()).containsOnlyKeys(new ResponderEntry(VIP, 2));
        assertThat(sentFor(VIP)).hasSize(1);
    }

    @Test
    void failedDetachIsReportedAndRetried() {
        r.desire(Set.of(new LocalAnnouncement(VIP, "eth0", "cilium-l2announce-default-test")));
        sched.runPending();
        program.failNextDetach("eth0");
        r.desire(Set.of());
        sched.runPending();
        assertThat(errors).containsExactly("detach responder from eth0");
        assertThat(program.attachedInterfaces()).containsExactly("eth0");
        sched.advance(ResponderReconciler.RETRY_DELAY);
        assertThat(program.attachedInterfaces()).isEmpty();
        assertThat(r.datapathErrors()).isEqualTo(1);
    }

    @Test
    void foreignProgramBlockingAttachIsRetriedUntilItIsGone() {
        program.refuse("eth0");
        r.desire(Set.of(new LocalAnnouncement(VIP, "eth0", "cilium-l2announce-default-test")));
        sched.runPending();
        assertThat(errors).containsExactly("attach responder on eth0");
        assertThat(program.attachedInterfaces()).isEmpty();
        program.accept("eth0");
        sched.advance(ResponderReconciler.RETRY_DELAY);
        assertThat(program.attachedInterfaces()).containsExactly("eth0");
        assertThat(r.datapathErrors()).isEqualTo(1);
    }

    @Test
    void failedAttachKeepsTheInterfaceOutOfTheMapAndGarpAndReportsItUnresolved() {
        program.refuse("eth0");
        r.desire(Set.of(new LocalAnnouncement(VIP, "eth0", "cilium-l2announce-default-test"), new LocalAnnouncement(VIP2, "eth1", "cilium-l2announce-default-test")));
        sched.runPending();
        assertThat(map.list()).containsOnlyKeys(new ResponderEntry(VIP2, 3));
        assertThat(sentFor(VIP)).isEmpty();
        assertThat(sentFor(VIP2)).hasSize(1);
        assertThat(r.failed().keySet()).containsExactly(new LocalAnnouncement(VIP, "eth0", "cilium-l2announce-default-test"));
        assertThat(r.mapEntries()).isEqualTo(1);

        sched.advance(Duration.ofSeconds(60));
        assertThat(sentFor(VIP)).as("no GARP for a MAC that does not answer ARP").isEmpty();
        assertThat(map.list()).containsOnlyKeys(new ResponderEntry(VIP2, 3));

        program.accept("eth0");
        sched.advance(ResponderReconciler.ATTACH_RETRY_MAX);
        assertThat(program.attachedInterfaces()).containsExactlyInAnyOrder("eth0", "eth1");
        assertThat(map.list()).containsOnlyKeys(new ResponderEntry(VIP, 2), new ResponderEntry(VIP2, 3));
        assertThat(sentFor(VIP)).as("the whole burst once attached").hasSize(3);
        assertThat(r.failed().keySet()).isEmpty();
    }

    @Test
    void attachRetriesBackOffFromOneSecondDoublingToThirty() {
        program.refuse("eth0");
        r.desire(Set.of(new LocalAnnouncement(VIP, "eth0", "cilium-l2announce-default-test")));
        sched.runPending();
        List<Long> attemptsAtSecond = new ArrayList<>();
        int seen = errors.size();
        for (int second = 1; second <= 120; second++) {
            sched.advance(Duration.ofSeconds(1));
            if (errors.size() > seen) {
                attemptsAtSecond.add((long) second);
                seen = errors.size();
            }
        }
        // failures at t=0, then retries 1, 2, 4, 8, 16, 30, 30, ... seconds apart
        assertThat(attemptsAtSecond).containsExactly(1L, 3L, 7L, 15L, 31L, 61L, 91L);
        assertThat(errors).allMatch(e -> e.equals("attach responder on eth0"));
        assertThat(ResponderReconciler.attachRetryDelay(1)).isEqualTo(Duration.ofSeconds(1));
        assertThat(ResponderReconciler.attachRetryDelay(100)).isEqualTo(Duration.ofSeconds(30));
    }

    @Test
    void aDesireChangeDoesNotBypassTheAttachBackoff() {
        program.refuse("eth0");
        r.desire(Set.of(new LocalAnnouncement(VIP, "eth0", "cilium-l2announce-default-test")));
        sched.runPending();
        sched.advance(Duration.ofSeconds(1)); // 2nd failure, next try in 2 s
        int before = errors.size();
        r.desire(Set.of(new LocalAnnouncement(VIP, "eth0", "cilium-l2announce-default-test"), new LocalAnnouncement(VIP2, "eth0", "cilium-l2announce-default-test")));
        sched.runPending();
        assertThat(errors).hasSize(before);
        assertThat(r.failed().keySet()).containsExactlyInAnyOrder(new LocalAnnouncement(VIP, "eth0", "cilium-l2announce-default-test"), new LocalAnnouncement(VIP2, "eth0", "cilium-l2announce-default-test"));
        assertThat(map.list()).isEmpty();
    }

    @Test
    void closeStopsBurstsAndLiveness() {
        r.desire(Set.of(new LocalAnnouncement(VIP, "eth0", "cilium-l2announce-default-test")));
        sched.runPending();
        r.close();
        sched.advance(Duration.ofSeconds(30));
        assertThat(sentFor(VIP)).hasSize(1);
        assertThat(program.livenessRefreshes()).isEqualTo(1);
        assertThat(devices.subscribers()).isZero();
    }

    static final String LEASE_A = "cilium-l2announce-default-a";
    static final String LEASE_B = "cilium-l2announce-default-b";

    static Inet4Address ipN(int n) {
        return ip("198.51.100." + n);
    }

    ResponderReconciler small(FakeResponderMap smallMap, ResponderReconciler.Listener listener) {
        ResponderReconciler rr = new ResponderReconciler(smallMap, program, devices, garp, sched, sched, 1, GARP_INTERVAL,
                LIVENESS, fence, listener);
        rr.start();
        sched.runPending();
        return rr;
    }

    @Test
    void desiredSetLargerThanTheMapDeletesEveryStaleEntryAddsWhatFitsInOrderAndReportsTheRestAsMapFull() {
        FakeResponderMap four = new FakeResponderMap(4);
        ResponderReconciler rr = small(four, new ResponderReconciler.Listener() {});
        Set<LocalAnnouncement> old = new HashSet<>();
        for (int i = 1; i <= 4; i++) old.add(new LocalAnnouncement(ipN(i), "eth0", LEASE_A));
        rr.desire(old);
        sched.runPending();
        assertThat(four.list()).hasSize(4);
        garp.clear();
        // Lease A lost, lease B (6 IPs) acquired: the old entries must go even though B does not fit.
        Set<LocalAnnouncement> b = new HashSet<>();
        for (int i = 10; i <= 15; i++) b.add(new LocalAnnouncement(ipN(i), "eth0", LEASE_B));
        rr.desire(b);
        sched.runPending();
        assertThat(four.list().keySet()).extracting(ResponderEntry::ip)
                .containsExactlyInAnyOrder(ipN(10), ipN(11), ipN(12), ipN(13));
        assertThat(rr.failed()).containsOnlyKeys(new LocalAnnouncement(ipN(14), "eth0", LEASE_B), new LocalAnnouncement(ipN(15), "eth0", LEASE_B))
                .containsValues(DatapathFailure.MAP_FULL);
        assertThat(garp.sent()).extracting(FakeNeighbourAnnouncer.Sent::ip).as("no GARP for what is not installed")
                .containsExactlyInAnyOrder(ipN(10), ipN(11), ipN(12), ipN(13));
        // Later removals still apply, and a freed slot goes to the next one in order.
        Set<LocalAnnouncement> fewer = new HashSet<>(b);
        fewer.remove(new LocalAnnouncement(ipN(10), "eth0", LEASE_B));
        rr.desire(fewer);
        sched.runPending();
        assertThat(four.list().keySet()).extracting(ResponderEntry::ip).containsExactlyInAnyOrder(ipN(11), ipN(12), ipN(13), ipN(14));
        assertThat(rr.failed()).containsOnlyKeys(new LocalAnnouncement(ipN(15), "eth0", LEASE_B));
        assertThat(errors).isEmpty();
    }

    @Test
    void installedEntriesAreNeverEvictedForNewOnes() {
        FakeResponderMap two = new FakeResponderMap(2);
        ResponderReconciler rr = small(two, new ResponderReconciler.Listener() {});
        rr.desire(Set.of(new LocalAnnouncement(ipN(50), "eth0", LEASE_A), new LocalAnnouncement(ipN(51), "eth0", LEASE_A)));
        sched.runPending();
        // A lower IP arrives while the map is full: it waits, the answered IPs stay answered.
        rr.desire(Set.of(new LocalAnnouncement(ipN(50), "eth0", LEASE_A), new LocalAnnouncement(ipN(51), "eth0", LEASE_A),
                new LocalAnnouncement(ipN(1), "eth0", LEASE_B)));
        sched.runPending();
        assertThat(two.list().keySet()).extracting(ResponderEntry::ip).containsExactlyInAnyOrder(ipN(50), ipN(51));
        assertThat(rr.failed()).containsOnlyKeys(new LocalAnnouncement(ipN(1), "eth0", LEASE_B));
    }

    @Test
    void aLeaseTheFenceNoLongerHoldsIsWithdrawnAndDoesNotSilenceTheOthers() {
        r.desire(Set.of(new LocalAnnouncement(VIP, "eth0", LEASE_A), new LocalAnnouncement(VIP2, "eth1", LEASE_B)));
        sched.runPending();
        sched.advance(LIVENESS.multipliedBy(2));
        int before = program.livenessRefreshes();
        assertThat(before).isGreaterThan(1);
        fenced.add(LEASE_B); // B's renew deadline passed (the election's Lost may come much later)
        sched.advance(LIVENESS);
        assertThat(program.livenessRefreshes()).as("a stale lease in the map: no refresh").isEqualTo(before);
        sched.advance(LIVENESS);
        // Still stale at the next refresh: withdrawn before the stamp, so the program cannot answer B, and A stays
        // answered (two refresh intervals without a stamp are half a max age).
        assertThat(map.list().keySet()).extracting(ResponderEntry::ip).containsExactly(VIP);
        assertThat(program.livenessRefreshes()).as("A is still answered").isEqualTo(before + 1);
        int garpsOfB = sentFor(VIP2).size();
        // B's renew landed after all: it is answered (and announced) again.
        fenced.remove(LEASE_B);
        sched.advance(LIVENESS);
        assertThat(map.list().keySet()).extracting(ResponderEntry::ip).containsExactlyInAnyOrder(VIP, VIP2);
        assertThat(program.livenessRefreshes()).isEqualTo(before + 2);
        assertThat(sentFor(VIP2).size()).as("re-announced").isGreaterThan(garpsOfB);
    }

    @Test
    void aLeaseStaleAtOneRefreshOnlySkipsThatRefreshAndIsNotWithdrawn() {
        r.desire(Set.of(new LocalAnnouncement(VIP, "eth0", LEASE_A), new LocalAnnouncement(VIP2, "eth1", LEASE_B)));
        sched.runPending();
        sched.advance(LIVENESS);
        int before = program.livenessRefreshes();
        int garpsOfB = sentFor(VIP2).size();
        fenced.add(LEASE_B); // a deferred deadline extended a moment late by a busy election thread
        sched.advance(LIVENESS);
        fenced.remove(LEASE_B);
        sched.advance(LIVENESS);
        assertThat(program.livenessRefreshes()).isEqualTo(before + 1);
        assertThat(map.list().keySet()).extracting(ResponderEntry::ip).containsExactlyInAnyOrder(VIP, VIP2);
        assertThat(sentFor(VIP2)).as("never withdrawn, so not re-announced").hasSize(garpsOfB);
    }

    @Test
    void whenTheFenceHoldsNoLeaseTheEntriesStayAndTheStampIsWithheld() {
        r.desire(Set.of(new LocalAnnouncement(VIP, "eth0", LEASE_A), new LocalAnnouncement(VIP2, "eth1", LEASE_B)));
        sched.runPending();
        sched.advance(LIVENESS);
        int before = program.livenessRefreshes();
        fenced.addAll(Set.of(LEASE_A, LEASE_B)); // the node is fenced as a whole (heartbeat fence, election stopped)
        sched.advance(LIVENESS.multipliedBy(3));
        assertThat(program.livenessRefreshes()).as("the program goes silent at its max age").isEqualTo(before);
        assertThat(map.list().keySet()).extracting(ResponderEntry::ip).containsExactlyInAnyOrder(VIP, VIP2);
        fenced.clear();
        sched.advance(LIVENESS);
        assertThat(program.livenessRefreshes()).isEqualTo(before + 1);
    }

    @Test
    void gratuitousArpsOfAFencedLeaseStop() {
        r.desire(Set.of(new LocalAnnouncement(VIP, "eth0", LEASE_A)));
        sched.runPending();
        assertThat(sentFor(VIP)).hasSize(1);
        fenced.add(LEASE_A); // as after a freeze longer than the lease: the repeats are overdue
        sched.advance(GARP_INTERVAL.multipliedBy(5));
        assertThat(sentFor(VIP)).as("no repeat pulls neighbours back to a node that lost the lease").hasSize(1);
        // The renew landed after all: the rest of the burst follows at the next liveness refresh.
        fenced.remove(LEASE_A);
        sched.advance(LIVENESS);
        sched.advance(GARP_INTERVAL.multipliedBy(5));
        assertThat(sentFor(VIP)).as("the burst resumed where the fence stopped it").hasSize(3);
    }

    @Test
    void aFirstGratuitousArpTheFenceRefusesIsSentOnceItHolds() {
        // Acquired, but the heartbeat fence lapsed for a moment (a heartbeat answered late by a busy API) just as
        // the first announcement was due: neighbours still point at the previous holder until it is sent.
        fenced.add(LEASE_A);
        r.desire(Set.of(new LocalAnnouncement(VIP, "eth0", LEASE_A)));
        sched.runPending();
        assertThat(map.list()).containsOnlyKeys(new ResponderEntry(VIP, 2));
        assertThat(sentFor(VIP)).isEmpty();
        sched.advance(LIVENESS.multipliedBy(2));
        assertThat(sentFor(VIP)).as("nothing sent while the fence refuses").isEmpty();
        fenced.remove(LEASE_A);
        sched.advance(LIVENESS);
        assertThat(sentFor(VIP)).as("announced at the first refresh the fence holds").hasSize(1);
        sched.advance(GARP_INTERVAL.multipliedBy(5));
        assertThat(sentFor(VIP)).as("the whole burst").hasSize(3);
        r.desire(Set.of());
        sched.runPending();
        sched.advance(LIVENESS.multipliedBy(3));
        assertThat(sentFor(VIP)).hasSize(3);
    }

    @Test
    void aRefusedBurstOfAnIpNoLongerDesiredNeverResumes() {
        r.desire(Set.of(new LocalAnnouncement(VIP, "eth0", LEASE_A), new LocalAnnouncement(VIP2, "eth1", LEASE_B)));
        sched.runPending();
        fenced.add(LEASE_A);
        sched.advance(GARP_INTERVAL);
        r.desire(Set.of(new LocalAnnouncement(VIP2, "eth1", LEASE_B))); // A was lost
        sched.runPending();
        fenced.remove(LEASE_A);
        sched.advance(LIVENESS.multipliedBy(3));
        assertThat(sentFor(VIP)).hasSize(1);
    }

    @Test
    void aFailedConvergenceRefreshesNoLivenessUntilOneSucceeds() {
        FakeResponderMap stale = new FakeResponderMap();
        stale.put(new ResponderEntry(ipN(9), 2)); // left by a previous life
        stale.failNext(new IllegalStateException("map write failed (simulated)"));
        FakeResponderProgram fresh = new FakeResponderProgram();
        ResponderReconciler rr = new ResponderReconciler(stale, fresh, devices, garp, sched, sched, 1, GARP_INTERVAL, LIVENESS,
                fence, new ResponderReconciler.Listener() {});
        rr.start();
        sched.runPending();
        assertThat(fresh.livenessRefreshes()).as("stale pinned entries are not revived").isZero();
        sched.advance(ResponderReconciler.RETRY_DELAY);
        assertThat(stale.list()).isEmpty();
        sched.advance(LIVENESS);
        assertThat(fresh.livenessRefreshes()).isPositive();
    }

    // ---- IPv6: the same rules, plus the solicited-node groups the links listen on ----------------------

    static final java.net.Inet6Address VIP6 = (java.net.Inet6Address) InetAddress.ofLiteral("2001:db8::100");
    static final java.net.Inet6Address VIP6B = (java.net.Inet6Address) InetAddress.ofLiteral("2001:db8::101");

    @Test
    void aDualStackAnnouncementIsMappedInBothFamiliesAndEachGetsItsOwnBurst() {
        r.desire(Set.of(new LocalAnnouncement(VIP, "eth0", LEASE_A), new LocalAnnouncement(VIP6, "eth0", LEASE_A)));
        sched.runPending();
        assertThat(map.list()).containsOnlyKeys(new ResponderEntry(VIP, 2), new ResponderEntry(VIP6, 2));
        assertThat(sentFor(VIP6)).containsExactly(new FakeNeighbourAnnouncer.Sent("eth0", 2, VIP6));
        sched.advance(GARP_INTERVAL.multipliedBy(10));
        assertThat(sentFor(VIP6)).as("unsolicited NAs repeat as GARPs do").hasSize(3);
        assertThat(sentFor(VIP)).hasSize(3);
        assertThat(garp.listening()).as("the link joins the IPv6 entry's solicited-node group")
                .containsExactly(new ResponderEntry(VIP6, 2));
    }

    @Test
    void groupsFollowTheInstalledEntriesAndAreLeftOnWithdrawal() {
        r.desire(Set.of(new LocalAnnouncement(VIP6, "eth0", LEASE_A), new LocalAnnouncement(VIP6B, "eth1", LEASE_B)));
        sched.runPending();
        assertThat(garp.listening()).containsExactlyInAnyOrder(new ResponderEntry(VIP6, 2), new ResponderEntry(VIP6B, 3));
        r.desire(Set.of(new LocalAnnouncement(VIP6B, "eth1", LEASE_B)));
        sched.runPending();
        assertThat(garp.listening()).containsExactly(new ResponderEntry(VIP6B, 3));
        r.desire(Set.of());
        sched.runPending();
        assertThat(garp.listening()).isEmpty();
        assertThat(map.list()).isEmpty();
    }

    @Test
    void anIpv6EntryThatDoesNotFitJoinsNoGroupAndSendsNoAdvertisement() {
        FakeResponderMap one = new FakeResponderMap(1);
        ResponderReconciler rr = small(one, new ResponderReconciler.Listener() {});
        rr.desire(Set.of(new LocalAnnouncement(VIP6, "eth0", LEASE_A), new LocalAnnouncement(VIP6B, "eth0", LEASE_A),
                new LocalAnnouncement(VIP, "eth0", LEASE_A)));
        sched.runPending();
        assertThat(one.list().keySet()).as("each family in its own map").containsExactlyInAnyOrder(
                new ResponderEntry(VIP, 2), new ResponderEntry(VIP6, 2));
        assertThat(rr.failed()).containsOnlyKeys(new LocalAnnouncement(VIP6B, "eth0", LEASE_A));
        assertThat(garp.listening()).containsExactly(new ResponderEntry(VIP6, 2));
        assertThat(sentFor(VIP6B)).isEmpty();
    }

    @Test
    void aFailedGroupJoinKeepsTheEntryAnsweringAndIsRetried() {
        garp.failListenWith(new IllegalStateException("IPV6_ADD_MEMBERSHIP: ENOBUFS (simulated)"));
        r.desire(Set.of(new LocalAnnouncement(VIP6, "eth0", LEASE_A)));
        sched.runPending();
        assertThat(errors).containsExactly("join/leave solicited-node multicast groups");
        assertThat(map.list()).as("the program still answers what the link delivers").containsOnlyKeys(new ResponderEntry(VIP6, 2));
        assertThat(sentFor(VIP6)).hasSize(1);
        garp.failListenWith(null);
        sched.advance(ResponderReconciler.RETRY_DELAY);
        assertThat(garp.listening()).containsExactly(new ResponderEntry(VIP6, 2));
    }

    @Test
    void aLinkComingBackUpReannouncesItsIpv6Entries() {
        r.desire(Set.of(new LocalAnnouncement(VIP6, "eth0", LEASE_A)));
        sched.advance(Duration.ofSeconds(5));
        garp.clear();
        devices.set(List.of(dev(2, "eth0", false, false)));
        sched.advance(Duration.ofSeconds(5));
        assertThat(garp.sent()).isEmpty();
        devices.set(List.of(dev(2, "eth0", true, false)));
        sched.advance(Duration.ofSeconds(5));
        assertThat(sentFor(VIP6)).hasSize(3);
    }
}
