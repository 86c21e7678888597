package dev.l2announcer.election;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.l2announcer.selection.LeaseNames;
import dev.l2announcer.time.Ticker;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The fabric8 adapter's request paths, on the CRUD mock server. */
class KubernetesLeaseStoreTest {

    /**
     * A thousand renewals queued on the IO pool must not hold back the node heartbeat: followers would see a live
     * node's heartbeat age past its expiry and take its leases over (measured before the fix: 1,118 leases lost in
     * 10 s by three healthy agents holding 1,000 leases, LeaseElectionBenchmark).
     */
    @Test
    void heartbeatIsNotQueuedBehindOtherRequests() throws Exception {
        try (ElectionHarness h = new ElectionHarness();
             KubernetesLeaseStore store = new KubernetesLeaseStore(h.client(), ElectionHarness.NS, LeaseNames.NAME_PREFIX,
                     Duration.ofSeconds(20), 1, Ticker.system())) {
            String lease = LeaseNames.NAME_PREFIX + "default-svc";
            LeaseRecord base = store.create(lease, LeaseRecords.created("node-a", 15, Instant.now(), Map.of()))
                    .toCompletableFuture().get(10, TimeUnit.SECONDS).lease();
            h.dispatcher.hangServiceLeaseWrites.set(true);
            List<CompletableFuture<LeaseStore.Result>> renewals = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                renewals.add(store.update(base, LeaseRecords.acquiredOrRenewed(base.content(), "node-a", 15, Instant.now(),
                        Map.of(), java.util.Set.of())).toCompletableFuture());
            }
            LeaseStore.Result beat = store.write(NodeHeartbeats.leaseName("node-a"), null,
                    LeaseRecords.created("node-a", 1, Instant.now(), Map.of()), Duration.ofMillis(400))
                    .toCompletableFuture().get(10, TimeUnit.SECONDS);
            assertTrue(beat.ok(), "heartbeat written: " + beat);
            assertTrue(renewals.stream().noneMatch(CompletableFuture::isDone), "the heartbeat overtook the hanging renewals");
            assertEquals("node-a", h.admin.leases().inNamespace(ElectionHarness.NS).withName(NodeHeartbeats.leaseName("node-a"))
                    .get().getSpec().getHolderIdentity());
        }
    }

    /**
     * Claims on dead peers' heartbeats must not hold back this node's own beat either: a node claiming its peers one
     * after the other behind slow answers misses its own beats and is claimed in turn (measured before the fix:
     * 10 agents holding 1,000 leases claimed each other in a cascade, LeaseElectionBenchmark).
     */
    @Test
    void heartbeatIsNotQueuedBehindClaims() throws Exception {
        try (ElectionHarness h = new ElectionHarness();
             KubernetesLeaseStore store = new KubernetesLeaseStore(h.client(), ElectionHarness.NS, LeaseNames.NAME_PREFIX,
                     Duration.ofSeconds(20), 1, Ticker.system())) {
            String peer = NodeHeartbeats.leaseName("node-b");
            LeaseRecord peerBeat = store.write(peer, null, LeaseRecords.created("node-b", 1, Instant.now(), Map.of()),
                    Duration.ofSeconds(5)).toCompletableFuture().get(10, TimeUnit.SECONDS).lease();
            h.dispatcher.hangWritesOf.set(peer);
            List<CompletableFuture<LeaseStore.Result>> claims = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                claims.add(store.claim(peerBeat, LeaseRecords.claimed(peerBeat.content(), "node-a"), Duration.ofSeconds(20))
                        .toCompletableFuture());
            }
            LeaseStore.Result beat = store.write(NodeHeartbeats.leaseName("node-a"), null,
                    LeaseRecords.created("node-a", 1, Instant.now(), Map.of()), Duration.ofMillis(400))
                    .toCompletableFuture().get(10, TimeUnit.SECONDS);
            assertTrue(beat.ok(), "heartbeat written: " + beat);
            assertTrue(claims.stream().noneMatch(CompletableFuture::isDone), "the heartbeat overtook the hanging claims");
        }
    }
}
