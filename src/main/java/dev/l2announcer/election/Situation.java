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
 * @param holderGoneAt when the holder counts as gone by its node heartbeat (fast path), NEVER without one
 * @param holdOffUntil this node promised the holder, during an API outage, to take none of its leases before then
 */
record Situation(String lease, String identity, long now, Observation seen, boolean campaigning, boolean stopping,
                 boolean watchHealthy, Candidacy candidacy, ElectionTimes times, boolean retired, long holderGoneAt,
                 long holdOffUntil) {

    /** Without node heartbeats (the lease model alone). */
    Situation(String lease, String identity, long now, Observation seen, boolean campaigning, boolean stopping,
              boolean watchHealthy, Candidacy candidacy, ElectionTimes times, boolean retired) {
        this(lease, identity, now, seen, campaigning, stopping, watchHealthy, candidacy, times, retired,
                LeaseState.NEVER, Long.MIN_VALUE);
    }

    boolean seenHeldByMe() {
        return seen != null && identity.equals(seen.holder());
    }
}
