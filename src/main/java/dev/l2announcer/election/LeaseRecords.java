package dev.l2announcer.election;

import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.fabric8.kubernetes.api.model.coordination.v1.LeaseBuilder;
import io.fabric8.kubernetes.api.model.coordination.v1.LeaseSpec;
import io.fabric8.kubernetes.api.model.coordination.v1.LeaseSpecBuilder;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;

/**
 * The Lease contents client-go's leader election writes, so {@code kubectl get lease} and Cilium agents read
 * ours the same. Semantics from k8s.io/client-go/tools/leaderelection: leaderelection.go tryAcquireOrRenew()
 * (a new holder increments leaseTransitions; the current holder keeps acquireTime and leaseTransitions),
 * release() (holderIdentity "", leaseDurationSeconds 1, acquireTime = renewTime = now, transitions kept) and
 * resourcelock/leaselock.go LeaderElectionRecordToLeaseSpec (the whole spec is replaced on every write;
 * metadata is kept from the last read). Pure functions.
 */
final class LeaseRecords {
    /**
     * metav1.RFC3339Micro ("2006-01-02T15:04:05.000000Z07:00", always UTC): fabric8's LeaseSpec serialises its
     * ZonedDateTime fields with the pattern yyyy-MM-dd'T'HH:mm:ss.SSSSSS'Z', so we hand it UTC values at
     * microsecond precision.
     */
    static final DateTimeFormatter MICRO_TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSSSSS'Z'").withZone(ZoneOffset.UTC);

    /**
     * Written by a node that releases a lease gracefully: the candidate it ranked first for the lease (same
     * deterministic ranking every node computes), so only that node goes at once and the others hold back. Not a
     * client-go field; Cilium agents ignore it. Only read while the holder is empty, dropped by the next holder.
     */
    static final String SUCCESSOR_ANNOTATION = "l2announcer.dev/successor";

    private LeaseRecords() {}

    static ZonedDateTime microTime(Instant at) {
        return at.truncatedTo(ChronoUnit.MICROS).atZone(ZoneOffset.UTC);
    }

    /** The lease a first candidate creates: leaseTransitions 0 as client-go's Create(). */
    static Lease created(String namespace, String name, String identity, int leaseDurationSeconds, Instant now, Map<String, String> annotations) {
        return new LeaseBuilder()
                .withMetadata(new ObjectMetaBuilder().withNamespace(namespace).withName(name)
                        .withAnnotations(annotations.isEmpty() ? null : new HashMap<>(annotations)).build())
                .withSpec(spec(identity, leaseDurationSeconds, now, now, 0))
                .build();
    }

    /**
     * Takeover (holder differs from us: transitions + 1, acquireTime now) or renew (holder is us: acquireTime
     * and transitions kept), on top of {@code observed} whose resourceVersion becomes the write's precondition.
     */
    static Lease acquiredOrRenewed(Lease observed, String identity, int leaseDurationSeconds, Instant now,
            Map<String, String> annotations, Set<String> annotationKeysToDrop) {
        LeaseSpec old = observed.getSpec() == null ? new LeaseSpec() : observed.getSpec();
        int transitions = old.getLeaseTransitions() == null ? 0 : old.getLeaseTransitions();
        boolean alreadyOurs = identity.equals(old.getHolderIdentity());
        LeaseSpec spec = alreadyOurs
                ? spec(identity, leaseDurationSeconds, now, now, transitions, old.getAcquireTime())
                : spec(identity, leaseDurationSeconds, now, now, transitions + 1);
        Set<String> drop = new java.util.HashSet<>(annotationKeysToDrop);
        drop.add(SUCCESSOR_ANNOTATION);
        return new LeaseBuilder(observed).withMetadata(metadata(observed, annotations, drop)).withSpec(spec).build();
    }

    /** client-go release(): holder cleared, leaseDurationSeconds 1, acquireTime = renewTime = now, transitions kept. */
    static Lease released(Lease observed, Instant now, Set<String> annotationKeysToDrop) {
        return released(observed, now, annotationKeysToDrop, null);
    }

    /** As {@link #released(Lease, Instant, Set)}, naming the candidate that should take the lease first (may be null). */
    static Lease released(Lease observed, Instant now, Set<String> annotationKeysToDrop, String successor) {
        LeaseSpec old = observed.getSpec() == null ? new LeaseSpec() : observed.getSpec();
        int transitions = old.getLeaseTransitions() == null ? 0 : old.getLeaseTransitions();
        Set<String> drop = new java.util.HashSet<>(annotationKeysToDrop);
        drop.add(SUCCESSOR_ANNOTATION);
        Map<String, String> hint = successor == null ? Map.of() : Map.of(SUCCESSOR_ANNOTATION, successor);
        return new LeaseBuilder(observed).withMetadata(metadata(observed, hint, drop))
                .withSpec(spec("", 1, now, now, transitions)).build();
    }

    private static ObjectMeta metadata(Lease observed, Map<String, String> annotations, Set<String> dropKeys) {
        ObjectMeta meta = new ObjectMetaBuilder(observed.getMetadata()).build();
        Map<String, String> merged = meta.getAnnotations() == null ? new HashMap<>() : new HashMap<>(meta.getAnnotations());
        merged.keySet().removeAll(dropKeys);
        merged.putAll(annotations);
        meta.setAnnotations(merged.isEmpty() ? null : merged);
        return meta;
    }

    private static LeaseSpec spec(String holder, int durationSeconds, Instant acquire, Instant renew, int transitions) {
        return spec(holder, durationSeconds, acquire, renew, transitions, null);
    }

    private static LeaseSpec spec(String holder, int durationSeconds, Instant acquire, Instant renew, int transitions, ZonedDateTime keptAcquire) {
        return new LeaseSpecBuilder()
                .withHolderIdentity(holder)
                .withLeaseDurationSeconds(durationSeconds)
                .withAcquireTime(keptAcquire != null ? keptAcquire : microTime(acquire))
                .withRenewTime(microTime(renew))
                .withLeaseTransitions(transitions)
                .build();
    }

    static String holder(Lease lease) {
        return lease.getSpec() == null || lease.getSpec().getHolderIdentity() == null ? "" : lease.getSpec().getHolderIdentity();
    }

    /** The successor named by a graceful release, or null. */
    static String successor(Lease lease) {
        Map<String, String> a = lease.getMetadata() == null ? null : lease.getMetadata().getAnnotations();
        String s = a == null ? null : a.get(SUCCESSOR_ANNOTATION);
        return s == null || s.isEmpty() ? null : s;
    }

    static int durationSeconds(Lease lease, int fallback) {
        Integer d = lease.getSpec() == null ? null : lease.getSpec().getLeaseDurationSeconds();
        return d == null ? fallback : d;
    }
}
