package dev.l2announcer.election;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.client.utils.Serialization;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class LeaseRecordsTest {
    static final Instant T0 = Instant.parse("2026-01-01T10:00:00.123456789Z");
    static final Instant T1 = Instant.parse("2026-01-01T10:00:05.5Z");

    @Test
    void createdLeaseHasZeroTransitionsAndMicrosecondTimes() {
        LeaseContent l = LeaseRecords.created("node-1", 15, T0, Map.of("k", "v"));
        assertThat(l.holder()).isEqualTo("node-1");
        assertThat(l.durationSeconds()).isEqualTo(15);
        assertThat(l.transitions()).isZero();
        assertThat(l.annotations()).containsEntry("k", "v");
        // On the wire (the store adapter's mapping): metav1.MicroTime, always UTC.
        String json = Serialization.asJson(KubernetesLeaseStore.newLease("kube-system", "cilium-l2announce-a-b", l));
        assertThat(json).contains("\"acquireTime\":\"2026-01-01T10:00:00.123456Z\"").contains("\"renewTime\":\"2026-01-01T10:00:00.123456Z\"")
                .contains("\"holderIdentity\":\"node-1\"").contains("\"leaseDurationSeconds\":15").contains("\"leaseTransitions\":0");
    }

    @Test
    void takeoverIncrementsTransitionsRenewKeepsAcquireTime() {
        LeaseContent mine = LeaseRecords.created("node-1", 15, T0, Map.of());
        LeaseContent renewed = LeaseRecords.acquiredOrRenewed(mine, "node-1", 15, T1, Map.of(), Set.of());
        assertThat(renewed.transitions()).isZero();
        assertThat(renewed.acquireTime()).isEqualTo(mine.acquireTime());
        assertThat(renewed.renewTime()).isEqualTo(Instant.parse("2026-01-01T10:00:05.500000Z"));

        LeaseContent taken = LeaseRecords.acquiredOrRenewed(renewed, "node-2", 15, T1, Map.of(), Set.of());
        assertThat(taken.holder()).isEqualTo("node-2");
        assertThat(taken.transitions()).isEqualTo(1);
        assertThat(taken.acquireTime()).isEqualTo(taken.renewTime());
    }

    @Test
    void releaseIsClientGosReleaseRecordAndDropsOurAnnotations() {
        Map<String, String> annotations = new HashMap<>(Map.of("ours", "x", "theirs", "y"));
        LeaseContent mine = new LeaseContent("node-1", 15, T0, T0, 4, annotations);
        LeaseContent released = LeaseRecords.released(mine, T1, Set.of("ours"));
        assertThat(released.holder()).isEmpty();
        assertThat(released.durationSeconds()).isEqualTo(1);
        assertThat(released.transitions()).isEqualTo(4);
        assertThat(released.acquireTime()).isEqualTo(released.renewTime());
        assertThat(released.annotations()).containsOnlyKeys("theirs");
    }

    @Test
    void releaseMayNameTheSuccessorAndTheNextHolderDropsIt() {
        LeaseContent mine = LeaseRecords.created("node-1", 15, T0, Map.of("ours", "x"));
        LeaseContent released = LeaseRecords.released(mine, T1, Set.of("ours"), "node-2");
        assertThat(released.annotations()).containsOnly(Map.entry(LeaseRecords.SUCCESSOR_ANNOTATION, "node-2"));
        assertThat(LeaseRecords.successor(released)).isEqualTo("node-2");
        LeaseContent taken = LeaseRecords.acquiredOrRenewed(released, "node-2", 15, T1, Map.of("ours", "y"), Set.of());
        assertThat(taken.annotations()).containsOnly(Map.entry("ours", "y"));
        assertThat(LeaseRecords.successor(taken)).isNull();
        // A later release without a successor does not keep a stale one.
        assertThat(LeaseRecords.successor(LeaseRecords.released(released, T1, Set.of()))).isNull();
    }

    @Test
    void theStoreMappingKeepsWhatTheEngineDoesNotModel() {
        var lease = KubernetesLeaseStore.newLease("ns", "cilium-l2announce-a-b", LeaseRecords.created("node-1", 15, T0, Map.of()));
        lease.getMetadata().setLabels(Map.of("team", "net"));
        lease.getMetadata().setResourceVersion("7");
        LeaseRecord record = KubernetesLeaseStore.toRecord(lease);
        assertThat(record.resourceVersion()).isEqualTo("7");
        assertThat(record.content().acquireTime()).isEqualTo(Instant.parse("2026-01-01T10:00:00.123456Z"));
        assertThat(record.origin()).isSameAs(lease);
    }
}
