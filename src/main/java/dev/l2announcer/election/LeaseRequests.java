package dev.l2announcer.election;

import java.time.Clock;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletionStage;
import java.util.function.Function;
import org.jboss.logging.Logger;

/**
 * The requests the engine's effects turn into: what each write contains ({@link LeaseRecords}) and which store call
 * carries it. Answers come back as results (a failed future becomes a FAILED result); the engine hands them to
 * its thread. Called on the engine's thread only (it updates the slot's annotation bookkeeping).
 */
final class LeaseRequests {
    private static final Logger LOG = Logger.getLogger(LeaseRequests.class);

    private final LeaseStore store;
    private final String identity;
    private final ElectionTimes times;
    private final Clock clock;
    private final ElectionMetrics metrics;
    private final Function<String, Map<String, String>> holderAnnotations;
    private final Set<String> keptOnRelease;

    LeaseRequests(LeaseStore store, String identity, ElectionTimes times, Clock clock, ElectionMetrics metrics,
                  Function<String, Map<String, String>> holderAnnotations, Set<String> keptOnRelease) {
        this.store = store;
        this.identity = identity;
        this.times = times;
        this.clock = clock;
        this.metrics = metrics;
        this.holderAnnotations = holderAnnotations;
        this.keptOnRelease = keptOnRelease;
    }

    /** Acquire: create when nothing is observed, else a conditional update of the observed version. */
    CompletionStage<LeaseStore.Result> acquire(LeaseSlot slot, Observation seen) {
        if (seen != null) return renew(slot, seen.record());
        Map<String, String> annotations = annotationsFor(slot.name);
        slot.pendingKeys = annotations.keySet();
        metrics.request("create");
        return normalized(store.create(slot.name, LeaseRecords.created(identity, times.leaseSeconds(), clock.instant(), annotations)));
    }

    /** A conditional write of our own record on top of {@code base} (renew, or takeover of the observed version). */
    CompletionStage<LeaseStore.Result> renew(LeaseSlot slot, LeaseRecord base) {
        Map<String, String> annotations = annotationsFor(slot.name);
        Set<String> drop = new HashSet<>(slot.annotationKeys);
        drop.removeAll(annotations.keySet());
        slot.pendingKeys = annotations.keySet();
        LeaseContent body = LeaseRecords.acquiredOrRenewed(base.content(), identity, times.leaseSeconds(), clock.instant(),
                annotations, drop);
        metrics.request("update");
        return normalized(store.update(base, body));
    }

    /**
     * The release of {@code base}: client-go's release record naming the successor, or (fast path) the handover in
     * one write naming the successor as holder, which confirms with its renew.
     */
    CompletionStage<LeaseStore.Result> release(LeaseSlot slot, LeaseRecord base, boolean handOver) {
        Set<String> drop = new HashSet<>(slot.annotationKeys);
        drop.removeAll(keptOnRelease);
        LeaseContent body = handOver && slot.successor != null
                ? LeaseRecords.handedOver(base.content(), slot.successor, times.leaseSeconds(), clock.instant(), drop)
                : LeaseRecords.released(base.content(), clock.instant(), drop, slot.successor);
        metrics.request("update");
        return normalized(store.update(base, body));
    }

    CompletionStage<LeaseStore.Result> delete(LeaseRecord base) {
        metrics.request("delete");
        return normalized(store.delete(base));
    }

    CompletionStage<LeaseStore.Result> read(String name) {
        metrics.request("get");
        return normalized(store.get(name));
    }

    /** This node's heartbeat, bounded by {@code heartbeats}' fence (one that hangs must not hold back the next). */
    CompletionStage<LeaseStore.Result> heartbeat(NodeHeartbeats heartbeats) {
        LeaseRecord base = heartbeats.base();
        LeaseContent body = heartbeats.next(base, 1, clock.instant());
        metrics.request(base == null ? "create" : "update");
        return normalized(store.write(NodeHeartbeats.leaseName(identity), base, body, heartbeats.fence()));
    }

    /** A claim on another node's heartbeat {@code base} (conditional on its version), on the claims' lane. */
    CompletionStage<LeaseStore.Result> claim(LeaseRecord base, NodeHeartbeats heartbeats) {
        metrics.request("update");
        return normalized(store.claim(base, LeaseRecords.claimed(base.content(), identity), heartbeats.fence()));
    }

    private static CompletionStage<LeaseStore.Result> normalized(CompletionStage<LeaseStore.Result> request) {
        return request.handle((r, e) -> e == null ? r : LeaseStore.Result.failed(LeaseStore.Outcome.FAILED, e.toString(), 0));
    }

    private Map<String, String> annotationsFor(String lease) {
        try {
            Map<String, String> a = holderAnnotations.apply(lease);
            return a == null ? Map.of() : Map.copyOf(a);
        } catch (RuntimeException e) {
            LOG.warnf(e, "election: holder annotations for %s failed", lease);
            return Map.of();
        }
    }
}
