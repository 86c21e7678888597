package dev.l2announcer.election;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.time.Instant;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class LeaseRecordsTest {
    static final Instant T0 = Instant.parse("2026-01-01T10:00:00.123456789Z");
    static final Instant T1 = Instant.parse("2026-01-01T10:00:05.5Z");

    @Test
    void createdLeaseHasZeroTransitionsAndMicrosecondTimes() {
        Lease l = LeaseRecords.created("kube-system", "cilium-l2announce-a-b", "node-1", 15, T0, Map.of("k", "v"));
        assertThat(l.getSpec().getHolderIdentity()).isEqualTo("node-1");
        assertThat(l.getSpec().getLeaseDurationSeconds()).isEqualTo(15);
        assertThat(l.getSpec().getLeaseTransitions()).isZero();
        assertThat(l.getMetadata().getAnnotations()).containsEntry("k", "v");
        String json = Serialization.asJson(l);
        assertThat(json).contains("\"acquireTime\":\"2026-01-01T10:00:00.123456Z\"").contains("\"renewTime\":\"2026-01-01T10:00:00.123456Z\"");
    }

    @Test
    void takeoverIncrementsTransitionsRenewKeepsAcquireTime() {
        Lease mine = LeaseRecords.created("ns", "cilium-l2announce-a-b", "node-1", 15, T0, Map.of());
        mine.getMetadata().setResourceVersion("7");
        Lease renewed = LeaseRecords.acquiredOrRenewed(mine, "node-1", 15, T1, Map.of(), Set.of());
        assertThat(renewed.getSpec().getLeaseTransitions()).isZero();
        assertThat(renewed.getSpec().getAcquireTime()).isEqualTo(mine.getSpec().getAcquireTime());
        assertThat(Serialization.asJson(renewed)).contains("\"renewTime\":\"2026-01-01T10:00:05.500000Z\"");
        assertThat(renewed.getMetadata().getResourceVersion()).isEqualTo("7");

        Lease taken = LeaseRecords.acquiredOrRenewed(renewed, "node-2", 15, T1, Map.of(), Set.of());
        assertThat(taken.getSpec().getHolderIdentity()).isEqualTo("node-2");
        assertThat(taken.getSpec().getLeaseTransitions()).isEqualTo(1);
        assertThat(taken.getSpec().getAcquireTime()).isEqualTo(taken.getSpec().getRenewTime());
    }

    @Test
    void releaseIsClientGosReleaseRecordAndDropsOurAnnotations() {
        Lease mine = LeaseRecords.created("ns", "cilium-l2announce-a-b", "node-1", 15, T0, Map.of("ours", "x"));
        mine.getMetadata().getAnnotations().put("theirs", "y");
        mine.getSpec().setLeaseTransitions(4);
        Lease released = LeaseRecords.released(mine, T1, Set.of("ours"));
        assertThat(released.getSpec().getHolderIdentity()).isEmpty();
        assertThat(released.getSpec().getLeaseDurationSeconds()).isEqualTo(1);
        assertThat(released.getSpec().getLeaseTransitions()).isEqualTo(4);
        assertThat(released.getSpec().getAcquireTime()).isEqualTo(released.getSpec().getRenewTime());
        assertThat(released.getMetadata().getAnnotations()).containsOnlyKeys("theirs");
    }

    @Test
    void releaseMayNameTheSuccessorAndTheNextHolderDropsIt() {
        Lease mine = LeaseRecords.created("ns", "cilium-l2announce-a-b", "node-1", 15, T0, Map.of("ours", "x"));
        Lease released = LeaseRecords.released(mine, T1, Set.of("ours"), "node-2");
        assertThat(released.getMetadata().getAnnotations()).containsOnly(Map.entry(LeaseRecords.SUCCESSOR_ANNOTATION, "node-2"));
        assertThat(LeaseRecords.successor(released)).isEqualTo("node-2");
        Lease taken = LeaseRecords.acquiredOrRenewed(released, "node-2", 15, T1, Map.of("ours", "y"), Set.of());
        assertThat(taken.getMetadata().getAnnotations()).containsOnly(Map.entry("ours", "y"));
        assertThat(LeaseRecords.successor(taken)).isNull();
        // A later release without a successor does not keep a stale one.
        assertThat(LeaseRecords.successor(LeaseRecords.released(released, T1, Set.of()))).isNull();
    }
}
