package dev.l2announcer.election;

import dev.l2announcer.config.LeaseTimings;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The fast path's node heartbeats: one small Lease per node ({@code l2announcer-node-<node>}, in the lease
 * namespace) that its agent renews every heartbeat interval. A Service Lease's holder counts only while its node's
 * heartbeat is fresh. A holder answers only while its own last successful heartbeat was sent less than
 * {@link LeaseTimings#heartbeatFence()} ago, or while every candidate of its leases confirms that the API is
 * unreachable for them too ({@link #grantOutageExtension}).
 *
 * <p>A follower that has observed no new version of a holder's heartbeat for {@link LeaseTimings#heartbeatExpiry()}
 * on its own monotonic clock does not take the holder's leases on that alone (its watch may just be late): it
 * claims the heartbeat, a conditional write on the version it last saw. A 409 means the holder beat since (or
 * another follower claimed it; then this one claims on top). A success proves that no beat landed since that
 * version, so the holder's fence lapsed before the claim, and licenses takeovers answered within
 * {@link LeaseTimings#claimLicense()} of the claim's send. The claimed holder, once it sees the claim, stands down
 * from everything and writes nothing for {@link LeaseTimings#claimQuarantine()}: every licensed takeover landed
 * before it can write again. The Service Leases stay Cilium-shaped and renewed.
 *
 * <p>State of this node's heartbeat and of the others' observations is owned by the engine's thread; the fence,
 * the quarantine, the outage extension and the promises are read and written from other threads.
 */
final class NodeHeartbeats {
    static final String PREFIX = "l2announcer-node-";

    private final String identity;
    private final long intervalNanos;
    private final long fenceNanos;
    private final long expiryNanos;
    private final long licenseNanos;
    private final long quarantineNanos;
    private final long leaseNanos;
    private final long renewDeadlineNanos;

    // Engine thread.
    private LeaseRecord mine;
    private boolean inFlight;
    private final Map<String, Long> observedAt = new HashMap<>();
    private final Map<String, Long> licensedUntil = new HashMap<>();
    private final java.util.Set<String> claiming = new java.util.HashSet<>();
    /** Send times of this node's recent successful beats, by resourceVersion (bounded: only the newest matter). */
    private final Map<String, Long> beatSentAt = new java.util.LinkedHashMap<>(32, 0.75f, false) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Long> eldest) {
            return size() > 32;
        }
    };
    /** The newest version of this node's heartbeat the watch has delivered (null: none since the last gap). */
    private String deliveredRv;
    private long streamFloor = Long.MIN_VALUE / 2;

    // Any thread.
    private volatile long lastSentOk = Long.MIN_VALUE / 2;
    private volatile long attemptSentAt = Long.MIN_VALUE / 2;
    private volatile boolean lastAttemptFailed;
    private volatile long outageExtensionUntil = Long.MIN_VALUE / 2;
    private volatile long quarantineFrom = Long.MIN_VALUE / 2;
    private volatile long quarantineUntil = Long.MIN_VALUE / 2;
    private final Map<String, Long> promisedUntil = new ConcurrentHashMap<>();
    /** The newest heartbeat version of each peer this node knows; written on the engine thread ({@link #claimed}: any). */
    private final Map<String, LeaseRecord> latest = new ConcurrentHashMap<>();
    /** The start of the latest outage round every candidate confirmed. */
    private volatile long lastConfirmedRound = Long.MIN_VALUE / 2;

    NodeHeartbeats(String identity, LeaseTimings timings) {
        this.identity = identity;
        this.intervalNanos = timings.heartbeatInterval().toNanos();
        this.fenceNanos = timings.heartbeatFence().toNanos();
        this.expiryNanos = timings.heartbeatExpiry().toNanos();
        this.licenseNanos = timings.claimLicense().toNanos();
        this.quarantineNanos = timings.claimQuarantine().toNanos();
        this.leaseNanos = timings.leaseDuration().toNanos();
        this.renewDeadlineNanos = timings.renewDeadline().toNanos();
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

    /** Whether a heartbeat write may be sent now: one at a time, and none before the quarantine's time is up. */
    boolean readyToSend(long now) {
        return !inFlight && now >= quarantineUntil;
    }

    /** The content of the next heartbeat and, when known, the version it replaces (null: create). */
    LeaseRecord base() {
        return mine;
    }

    /** The next beat; on top of a claim it drops the claim's mark (this node is back). */
    LeaseContent next(LeaseRecord base, int durationSeconds, Instant now) {
        return base == null ? LeaseRecords.created(identity, durationSeconds, now, Map.of())
                : LeaseRecords.acquiredOrRenewed(base.content(), identity, durationSeconds, now, Map.of(),
                        java.util.Set.of(LeaseRecords.CLAIMED_BY_ANNOTATION));
    }

    void sent(long now) {
        inFlight = true;
        attemptSentAt = now;
    }

    /**
     * The answer to a heartbeat write: only a success counts (as for a renew), and none sent before this node
     * learnt of a claim (none can succeed then, the claim made its base stale; kept as a second lock).
     */
    void answered(LeaseStore.Result r, long now) {
        inFlight = false;
        lastAttemptFailed = !r.ok();
        if (r.ok()) {
            mine = r.lease();
            if (r.sentAt() >= quarantineFrom) lastSentOk = Math.max(lastSentOk, r.sentAt());
            beatSentAt.put(mine.resourceVersion(), r.sentAt());
            if (deliveredRv != null && !mine.newerThan(deliveredRv)) streamFloor = Math.max(streamFloor, r.sentAt());
        } else if (r.outcome() == LeaseStore.Outcome.CONFLICT || r.outcome() == LeaseStore.Outcome.NOT_FOUND) {
            mine = null; // re-read (or create) next time
        }
    }

    /**
     * A version of our own heartbeat, from the watch or a read: the one to write over next. When it is a claim
     * this node had not seen, the node was judged dead: it stops answering now (fence revoked), starts its
     * quarantine, and the engine stands down from every lease.
     *
     * @return the claimant, when this version is a claim newly learnt; else null
     */
    String ownObserved(LeaseRecord record, long now) {
        if (mine != null && !record.newerThan(mine.resourceVersion())) return null;
        mine = record;
        String claimant = LeaseRecords.claimant(record.content());
        if (claimant == null) return null;
        quarantineFrom = now;
        quarantineUntil = now + quarantineNanos;
        revoke();
        return claimant;
    }

    // ---------------------------------------------------------------- how current the watch is (engine thread)

    /**
     * The watch delivered a version of this node's own heartbeat. A watch delivers versions in commit order and a
     * relist only versions newer than all it delivered, so every version delivered after this one committed after
     * this beat was sent: see {@link #streamFloor()}.
     */
    void ownDelivered(LeaseRecord record) {
        if (deliveredRv == null || record.newerThan(deliveredRv)) deliveredRv = record.resourceVersion();
        Long sentAt = beatSentAt.get(record.resourceVersion());
        if (sentAt != null) streamFloor = Math.max(streamFloor, sentAt);
    }

    /**
     * The send time of this node's newest beat the watch has delivered: a moment, on this node's clock, before
     * which no version the watch delivers from now on can have committed. MIN/2 when unknown (none since start or
     * since the last watch gap).
     */
    long streamFloor() {
        return streamFloor;
    }

    /** After a watch gap: unknown until the next own beat is delivered (simpler than arguing through a relist). */
    void forgetStream() {
        deliveredRv = null;
        streamFloor = Long.MIN_VALUE / 2;
    }

    /**
     * This node learnt its heartbeat was claimed: it acquires nothing and answers nothing for the quarantine's time,
     * and after it until a heartbeat sent after that time has been written (until then the others still see it
     * claimed, i.e. gone, and would claim again whatever it took).
     */
    boolean quarantined(long now) {
        return now < quarantineUntil || lastSentOk < quarantineUntil;
    }

    long quarantineEnds() {
        return quarantineUntil;
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

    /**
     * This node may answer: its heartbeat is fresh, or the candidates confirmed a common API outage; never while
     * quarantined (others were licensed to take its leases).
     */
    boolean fenceHolds(long now) {
        return !quarantined(now) && (apiReachable(now) || now < outageExtensionUntil);
    }

    /** Every candidate confirmed the round that started at {@code roundStart}: answer a heartbeat fence after it. */
    void grantOutageExtension(long roundStart) {
        outageExtensionUntil = Math.max(outageExtensionUntil, roundStart + fenceNanos);
        lastConfirmedRound = Math.max(lastConfirmedRound, roundStart);
    }

    /**
     * Rule 5 when the API returns, the holder's side: a renew deadline deferred through a confirmed outage counts
     * from the start of the last round every candidate confirmed, as if a renew had been sent then. Every candidate
     * answered that round after it started, and so takes none of this node's leases by expiry before a lease
     * duration after its answer ({@link #expiryHoldOffUntil}): renewDeadline + max age + margin <= leaseDuration
     * ({@link LeaseTimings}'s rule) keeps this node silent for those leases before then. Takeovers by a heartbeat
     * claim stay fenced by this node's beats (Rule 3). Long.MIN_VALUE / 2 + renewDeadline without any.
     */
    long returnDeadline() {
        return lastConfirmedRound + renewDeadlineNanos;
    }

    /** Never answer again on an old extension (the engine stopped or failed). */
    void revoke() {
        lastSentOk = Long.MIN_VALUE / 2;
        outageExtensionUntil = Long.MIN_VALUE / 2;
        lastConfirmedRound = Long.MIN_VALUE / 2;
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

    /**
     * Rule 5 when the API returns, the follower's side: this node could not see {@code holder}'s renewals while it
     * could not reach the API, so it takes none of {@code holder}'s leases <em>by expiry</em> before a whole lease
     * duration after it last said so (the holder may count its deferred deadlines from the round it answered, see
     * {@link #returnDeadline}); a heartbeat claim (Rule 3) still frees them early if the holder is gone.
     */
    long expiryHoldOffUntil(String holder) {
        Long until = promisedUntil.get(holder); // the last promise + heartbeat expiry
        return until == null ? Long.MIN_VALUE : until - expiryNanos + leaseNanos;
    }

    long holdOffUntil(String holder) {
        Long until = promisedUntil.get(holder);
        return until == null ? Long.MIN_VALUE : until;
    }

    // ---------------------------------------------------------------- others' heartbeats (engine thread)

    /**
     * A version of another node's heartbeat from the watch or a read: only a new live beat restarts its expiry
     * (and ends any license this node held against it). A claim (by anyone) leaves the last live beat's time.
     * A claim by another node delivered by the watch licenses this node too, from {@code floor} (the stream floor
     * at its delivery, MIN/2 for reads and resyncs): it committed after the floor, so the claimed node learnt it
     * later still and its quarantine outlasts floor + claimLicense. Without this every candidate would claim in
     * turn, each claim restarting the claimed node's quarantine.
     *
     * @return whether it licensed this node to take {@code record}'s node's leases over
     */
    boolean observed(LeaseRecord record, long now, long floor) {
        String node = record.holder();
        if (node.isEmpty() || node.equals(identity)) return false;
        LeaseRecord known = latest.get(node);
        if (known != null && !record.newerThan(known.resourceVersion())) return false;
        latest.put(node, record);
        if (LeaseRecords.claimant(record.content()) == null) {
            observedAt.put(node, now);
            licensedUntil.remove(node);
        } else {
            observedAt.putIfAbsent(node, now - expiryNanos); // first seen already claimed: it is gone
            if (floor > Long.MIN_VALUE / 2 && floor + licenseNanos > now) {
                licensedUntil.merge(node, floor + licenseNanos, Math::max);
                return true;
            }
        }
        return false;
    }

    /** After a real watch gap: every observation restarts (a blind follower cannot know who beat meanwhile). */
    void restartObservations(long now) {
        observedAt.replaceAll((node, at) -> now);
    }

    /**
     * When {@code holder} counts as gone by its heartbeat, on this node's clock; NEVER when it has no heartbeat
     * (a node without the fast path, a Cilium agent, or this node itself): then only its Service Lease's expiry counts.
     * Gone is a suspicion (ranking uses it; a takeover needs a claim first).
     */
    long goneAt(String holder) {
        Long at = holder.equals(identity) ? null : observedAt.get(holder);
        return at == null ? LeaseState.NEVER : at + expiryNanos;
    }

    /** Until when this node's own successful claim lets it take {@code holder}'s leases over (MIN: no license). */
    long licensedUntil(String holder) {
        Long until = licensedUntil.get(holder);
        return until == null ? Long.MIN_VALUE : until;
    }

    /** The heartbeat version to claim, when no claim on {@code node} is in flight already; null otherwise. */
    LeaseRecord startClaim(String node) {
        LeaseRecord base = latest.get(node);
        if (base == null || !claiming.add(node)) return null;
        return base;
    }

    /** The answer to our claim on {@code node}'s heartbeat; true when it licenses takeovers. */
    boolean claimAnswered(String node, LeaseStore.Result r) {
        claiming.remove(node);
        if (!r.ok() || r.lease() == null) return false;
        LeaseRecord known = latest.get(node);
        if (known != null && known.newerThan(r.lease().resourceVersion()) && LeaseRecords.claimant(known.content()) == null) {
            return false; // it beat on top of our claim already (its quarantine is over): no license
        }
        if (known == null || r.lease().newerThan(known.resourceVersion())) latest.put(node, r.lease());
        licensedUntil.merge(node, r.sentAt() + licenseNanos, Math::max);
        return true;
    }

    /**
     * Whether the newest heartbeat of {@code node} this node knows is a claim (its own that succeeded, or one the
     * watch delivered) with no live beat since: this node or another candidate may already have taken
     * {@code node}'s leases, so this node must not confirm {@code node}'s API outage (a promise holds back
     * takeovers to come, not the ones made). Any thread.
     */
    boolean claimed(String node) {
        LeaseRecord newest = latest.get(node);
        return newest != null && LeaseRecords.claimant(newest.content()) != null;
    }

    /**
     * The outage agreement's view of this node (any thread).
     *
     * @param peersOfHeld the other candidates of the leases this node holds, given this node's name
     * @param alive       the election runs (a stopped or failed one neither asks nor vouches)
     */
    OutageVotes votes(dev.l2announcer.time.Ticker ticker, java.util.function.Function<String, java.util.Set<String>> peersOfHeld,
                      java.util.function.BooleanSupplier alive) {
        NodeHeartbeats hb = this;
        return new OutageVotes() {
            @Override public boolean fastFailover() { return true; }
            @Override public boolean apiReachable() { return hb.apiReachable(ticker.nanoTime()); }
            @Override public boolean apiInDoubt() { return alive.getAsBoolean() && hb.inDoubt(ticker.nanoTime()); }
            @Override public java.util.Set<String> peersOfHeldLeases() { return peersOfHeld.apply(identity); }
            @Override public void roundConfirmed(long roundStartNanos) { if (alive.getAsBoolean()) hb.grantOutageExtension(roundStartNanos); }
            @Override public void promiseNoTakeover(String holder) { hb.promise(holder, ticker.nanoTime()); }
            @Override public boolean claimed(String holder) { return hb.claimed(holder); }
            @Override public java.time.Duration heartbeatInterval() { return java.time.Duration.ofNanos(intervalNanos); }
        };
    }
}
