package dev.l2announcer.election;

import dev.l2announcer.config.LeaseTimings;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The fast path's node heartbeats: one small Lease per node ({@code l2announcer-node-<node>}, in the lease
 * namespace) that its agent renews every heartbeat interval. A Service Lease's holder counts only while its node's
 * heartbeat is fresh: followers take its Service Leases over (conditionally) once they have observed no new
 * heartbeat version for {@link LeaseTimings#heartbeatExpiry()} on their own monotonic clock, well before the
 * Service Lease expires; a holder answers only while its own last successful heartbeat was sent less than
 * {@link LeaseTimings#heartbeatFence()} ago, or while every candidate of its leases confirms that the API is
 * unreachable for them too ({@link #grantOutageExtension}). The Service Leases stay Cilium-shaped and renewed.
 *
 * <p>State of this node's heartbeat and of the others' observations is owned by the engine's thread; the fence,
 * the outage extension and the promises are read and written from other threads.
 */
final class NodeHeartbeats {
    static final String PREFIX = "l2announcer-node-";

    private final String identity;
    private final long intervalNanos;
    private final long fenceNanos;
    private final long expiryNanos;

    // Engine thread.
    private LeaseRecord mine;
    private boolean inFlight;
    private final Map<String, Long> observedAt = new HashMap<>();
    private final Map<String, String> versions = new HashMap<>();

    // Any thread.
    private volatile long lastSentOk = Long.MIN_VALUE / 2;
    private volatile long attemptSentAt = Long.MIN_VALUE / 2;
    private volatile boolean lastAttemptFailed;
    private volatile long outageExtensionUntil = Long.MIN_VALUE / 2;
    private final Map<String, Long> promisedUntil = new ConcurrentHashMap<>();

    NodeHeartbeats(String identity, LeaseTimings timings) {
        this.identity = identity;
        this.intervalNanos = timings.heartbeatInterval().toNanos();
        this.fenceNanos = timings.heartbeatFence().toNanos();
        this.expiryNanos = timings.heartbeatExpiry().toNanos();
    }

    static String leaseName(String node) {
        return PREFIX + node;
    }

    static boolean isHeartbeat(String leaseName) {
        return leaseName.startsWith(PREFIX);
    }

    long interval() {
        return intervalNanos;
    }

    java.time.Duration fence() {
        return java.time.Duration.ofNanos(fenceNanos);
    }

    // ---------------------------------------------------------------- this node's heartbeat (engine thread)

    /** Whether a heartbeat write may be sent now (one at a time). */
    boolean readyToSend() {
        return !inFlight;
    }

    /** The content of the next heartbeat and, when known, the version it replaces (null: create). */
    LeaseRecord base() {
        return mine;
    }

    LeaseContent next(LeaseRecord base, int durationSeconds, Instant now) {
        return base == null ? LeaseRecords.created(identity, durationSeconds, now, Map.of())
                : LeaseRecords.acquiredOrRenewed(base.content(), identity, durationSeconds, now, Map.of(), java.util.Set.of());
    }

    void sent(long now) {
        inFlight = true;
        attemptSentAt = now;
    }

    /** The answer to a heartbeat write: only a success within the fence counts (as for a renew). */
    void answered(LeaseStore.Result r, long now) {
        inFlight = false;
        lastAttemptFailed = !r.ok();
        if (r.ok()) {
            mine = r.lease();
            lastSentOk = Math.max(lastSentOk, r.sentAt());
        } else if (r.outcome() == LeaseStore.Outcome.CONFLICT || r.outcome() == LeaseStore.Outcome.NOT_FOUND) {
            mine = null; // re-read from the watch (or create) next time
        }
    }

    /** A newer version of our own heartbeat seen on the watch (after a restart: the one to write over). */
    void ownObserved(LeaseRecord record) {
        if (mine == null || record.newerThan(mine.resourceVersion())) mine = record;
    }

    // ---------------------------------------------------------------- the fence (any thread)

    /** This node reached the API recently: its last successful heartbeat was sent less than the fence ago. */
    boolean apiReachable(long now) {
        return now < lastSentOk + fenceNanos;
    }

    /**
     * The API looks unreachable from here: the last heartbeat failed, one is overdue, or the fence passed. Early on
     * purpose, so an outage is agreed on before anybody's fence lapses (no gap when it begins).
     */
    boolean inDoubt(long now) {
        return lastAttemptFailed || (inFlight && now - attemptSentAt > intervalNanos) || !apiReachable(now);
    }

    /** This node may answer: its heartbeat is fresh, or the candidates confirmed a common API outage. */
    boolean fenceHolds(long now) {
        return apiReachable(now) || now < outageExtensionUntil;
    }

    void grantOutageExtension(long untilNanos) {
        outageExtensionUntil = Math.max(outageExtensionUntil, untilNanos);
    }

    /** Never answer again on an old extension (the engine stopped or failed). */
    void revoke() {
        lastSentOk = Long.MIN_VALUE / 2;
        outageExtensionUntil = Long.MIN_VALUE / 2;
    }

    /**
     * This node told {@code holder} it cannot reach the API either: it takes none of {@code holder}'s leases before
     * a whole heartbeat expiry from now, by which time {@code holder}'s extension from that answer has lapsed.
     */
    long promise(String holder, long now) {
        long until = now + expiryNanos;
        promisedUntil.merge(holder, until, Math::max);
        return until;
    }

    long holdOffUntil(String holder) {
        Long until = promisedUntil.get(holder);
        return until == null ? Long.MIN_VALUE : until;
    }

    // ---------------------------------------------------------------- others' heartbeats (engine thread)

    /** A version of some node's heartbeat from the watch: only a new version restarts its expiry. */
    void observed(LeaseRecord record, long now) {
        String node = record.holder();
        if (node.isEmpty()) return;
        if (node.equals(identity)) {
            ownObserved(record);
            return;
        }
        String known = versions.get(node);
        if (known == null || record.newerThan(known)) {
            versions.put(node, record.resourceVersion());
            observedAt.put(node, now);
        }
    }

    /** After a real watch gap: every observation restarts (a blind follower cannot know who beat meanwhile). */
    void restartObservations(long now) {
        observedAt.replaceAll((node, at) -> now);
    }

    /**
     * When {@code holder} counts as gone by its heartbeat, on this node's clock; NEVER when it has no heartbeat
     * (a node without the fast path, a Cilium agent, or this node itself): then only its Service Lease's expiry counts.
     */
    long goneAt(String holder) {
        Long at = holder.equals(identity) ? null : observedAt.get(holder);
        return at == null ? LeaseState.NEVER : at + expiryNanos;
    }
}
