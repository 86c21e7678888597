package dev.l2announcer.election;

/**
 * Everything a transition of one lease may look at besides the lease's own state: immutable inputs, so every
 * decision is a pure function of them.
 *
 * @param seen         the newest version of the Lease this node observed (null: absent)
 * @param campaigning  this node campaigns for the lease
 * @param stopping     this node is leaving (releases everything, acquires nothing)
 * @param watchHealthy the Lease watch is connected and synced: expiry is being judged
 * @param retired      the lease's group no longer exists anywhere (a dropped lease is deleted, not released)
 * @param holder       what the fast path knows of the holder's node heartbeat ({@link HolderLiveness#UNKNOWN} without)
 * @param quarantined  this node learnt its own heartbeat was claimed: it acquires nothing until the quarantine ends
 * @param streamFloor  no version the watch delivers now committed before this moment (the send of this node's newest
 *                     heartbeat the watch delivered; {@link #UNKNOWN_FLOOR} without)
 */
record Situation(String lease, String identity, long now, Observation seen, boolean campaigning, boolean stopping,
                 boolean watchHealthy, Candidacy candidacy, ElectionTimes times, boolean retired, HolderLiveness holder,
                 boolean quarantined, long streamFloor) {

    static final long UNKNOWN_FLOOR = Long.MIN_VALUE / 2;

    /**
     * The fast path's view of a holder's node, on this node's monotonic clock.
     *
     * @param goneAt        when its heartbeat expires (3.5 intervals after the last new version seen), NEVER without one
     * @param holdOffUntil  this node promised it, during an API outage, to take none of its leases before then
     * @param licensedUntil a claim of this node on its heartbeat succeeded: takeovers answered before then count
     * @param claimRetryAt  when to decide again if a claim is asked for now (its answer usually comes first)
     * @param expiryHoldOffUntil no takeover by expiry before this (a promise made during an API outage), see
     *                           {@link NodeHeartbeats#expiryHoldOffUntil}
     */
    record HolderLiveness(long goneAt, long holdOffUntil, long licensedUntil, long claimRetryAt, long expiryHoldOffUntil) {
        static final HolderLiveness UNKNOWN = new HolderLiveness(LeaseState.NEVER, Long.MIN_VALUE, Long.MIN_VALUE, LeaseState.NEVER,
                Long.MIN_VALUE);
    }

    /** Without node heartbeats (the lease model alone). */
    Situation(String lease, String identity, long now, Observation seen, boolean campaigning, boolean stopping,
              boolean watchHealthy, Candidacy candidacy, ElectionTimes times, boolean retired) {
        this(lease, identity, now, seen, campaigning, stopping, watchHealthy, candidacy, times, retired,
                HolderLiveness.UNKNOWN, false, UNKNOWN_FLOOR);
    }

    boolean seenHeldByMe() {
        return seen != null && identity.equals(seen.holder());
    }
}
