package dev.l2announcer.election;

import java.time.Instant;
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
 * annotations other than ours are kept from the version the write is based on). Times are metav1.MicroTime:
 * microsecond precision. Pure functions.
 */
final class LeaseRecords {
    /**
     * Written by a node that releases a lease gracefully: the candidate it ranked first for the lease (same
     * deterministic ranking every node computes), so only that node goes at once and the others hold back. Not a
     * client-go field; Cilium agents ignore it. Only read while the holder is empty, dropped by the next holder.
     */
    static final String SUCCESSOR_ANNOTATION = "l2announcer.dev/successor";

    private LeaseRecords() {}

    static Instant microTime(Instant at) {
        return at.truncatedTo(ChronoUnit.MICROS);
    }

    /** The lease a first candidate creates: leaseTransitions 0 as client-go's Create(). */
    static LeaseContent created(String identity, int leaseDurationSeconds, Instant now, Map<String, String> annotations) {
        Instant t = microTime(now);
        return new LeaseContent(identity, leaseDurationSeconds, t, t, 0, annotations);
    }

    /**
     * Takeover (holder differs from us: transitions + 1, acquireTime now) or renew (holder is us: acquireTime
     * and transitions kept), on top of {@code observed}.
     */
    static LeaseContent acquiredOrRenewed(LeaseContent observed, String identity, int leaseDurationSeconds, Instant now,
            Map<String, String> annotations, Set<String> annotationKeysToDrop) {
        Instant t = microTime(now);
        boolean alreadyOurs = identity.equals(observed.holder());
        Map<String, String> merged = merged(observed, annotations, annotationKeysToDrop);
        return alreadyOurs
                ? new LeaseContent(identity, leaseDurationSeconds, observed.acquireTime() != null ? observed.acquireTime() : t, t,
                        observed.transitions(), merged)
                : new LeaseContent(identity, leaseDurationSeconds, t, t, observed.transitions() + 1, merged);
    }

    /** client-go release(): holder cleared, leaseDurationSeconds 1, acquireTime = renewTime = now, transitions kept. */
    static LeaseContent released(LeaseContent observed, Instant now, Set<String> annotationKeysToDrop) {
        return released(observed, now, annotationKeysToDrop, null);
    }

    /** As {@link #released(LeaseContent, Instant, Set)}, naming the candidate that should take the lease first (may be null). */
    static LeaseContent released(LeaseContent observed, Instant now, Set<String> annotationKeysToDrop, String successor) {
        Instant t = microTime(now);
        Map<String, String> hint = successor == null ? Map.of() : Map.of(SUCCESSOR_ANNOTATION, successor);
        return new LeaseContent("", 1, t, t, observed.transitions(), merged(observed, hint, annotationKeysToDrop));
    }

    /**
     * A graceful handover in one write (fast path): the leaving holder names {@code successor} as holder (a new
     * holder: transitions + 1, acquireTime = renewTime = now). The successor confirms with its own renew before it
     * announces; the other candidates see a live holder and hold back, so nobody races for it.
     */
    static LeaseContent handedOver(LeaseContent observed, String successor, int leaseDurationSeconds, Instant now,
            Set<String> annotationKeysToDrop) {
        Instant t = microTime(now);
        return new LeaseContent(successor, leaseDurationSeconds, t, t, observed.transitions() + 1,
                merged(observed, Map.of(), annotationKeysToDrop));
    }

    /** The successor named by a graceful release, or null. */
    static String successor(LeaseContent content) {
        String s = content.annotations().get(SUCCESSOR_ANNOTATION);
        return s == null || s.isEmpty() ? null : s;
    }

    /** Annotations of {@code observed} without ours (the dropped keys and any successor hint), plus {@code ours}. */
    private static Map<String, String> merged(LeaseContent observed, Map<String, String> ours, Set<String> dropKeys) {
        Map<String, String> merged = new HashMap<>(observed.annotations());
        merged.keySet().removeAll(dropKeys);
        merged.remove(SUCCESSOR_ANNOTATION);
        merged.putAll(ours);
        return merged;
    }
}
