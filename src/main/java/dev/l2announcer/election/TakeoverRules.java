package dev.l2announcer.election;

import java.util.concurrent.TimeUnit;

/**
 * When a node that does not hold a lease should try to take it. Pure: the same inputs give the same decision on
 * every node, which is what keeps candidates from colliding.
 *
 * <ol>
 *   <li>Not campaigning, leaving, quarantined (this node's own heartbeat was claimed), or the watch not synced:
 *       nothing (a blind follower cannot judge expiry).</li>
 *   <li>The Lease names this node as holder (a restart, or a write that came back after it gave up): write at
 *       once, as client-go's IsLeader path; the resourceVersion precondition makes this safe.</li>
 *   <li>A live holder: decide again when it expires, {@code leaseDurationSeconds} after the version was
 *       observed on this node's monotonic clock, or (fast path) when its node heartbeat expires, whichever is
 *       first, but not before a hold-off this node promised it during an API outage (and not by expiry before a
 *       lease duration after that promise). When the heartbeat is what
 *       frees it, the takeover is licensed first: a successful claim on the heartbeat version this node last saw
 *       (a late watch makes a live holder look dead; its newer beat then makes the claim a 409), and the takeover
 *       counts only if answered within the license.</li>
 *   <li>Free (absent, released or expired), counted from when this node first judged it free:
 *     <ul>
 *       <li>released naming a successor among the candidates: the successor goes at once; the others wait the
 *           released record's own duration (client-go followers wait as long), or a whole lease duration while
 *           the successor is known alive (taking over a thousand leases at once may take more than a second),
 *           then stagger by rendezvous order;</li>
 *       <li>otherwise by rank in the plan: rank x rankStep, capped; an absent Lease (a new Service, not a crash)
 *           is created by its first-ranked candidate, so the others wait one lease duration more unless that
 *           node is known dead; a lease freed by its holder's heartbeat alone goes to the first-ranked
 *           candidate, the others wait a heartbeat expiry more while that one's heartbeat runs.</li>
 *     </ul>
 *   </li>
 * </ol>
 */
final class TakeoverRules {
    private TakeoverRules() {}

    /** The decision and the (possibly now set) moment this node first judged the lease free. */
    record Verdict(Decision decision, long freeSince) {}

    static Verdict decide(Situation s, long freeSince) {
        if (!s.campaigning() || s.stopping() || !s.watchHealthy() || s.quarantined()) {
            return new Verdict(Decision.NOT_OURS, freeSince);
        }
        if (s.seenHeldByMe()) {
            return new Verdict(Decision.TRY_NOW, freeSince);
        }
        Observation seen = s.seen();
        long now = s.now();
        // A live holder is gone when its Service Lease expires, or earlier (fast path) when its node's heartbeat
        // stopped; never before what this node promised it during an API outage.
        Situation.HolderLiveness holder = s.holder();
        boolean live = seen != null && !seen.free();
        // Expiry as observed here, but never before what this node promised during an API outage (it could not
        // observe renewals then; the holder counts its deferred deadlines from the round this node answered).
        long expiresAt = live ? Math.max(seen.expiresAt(), holder.expiryHoldOffUntil()) : now;
        long freeAt = !live ? now : Math.max(Math.min(expiresAt, holder.goneAt()), holder.holdOffUntil());
        if (freeAt > now) {
            return new Verdict(new Decision.TryAt(freeAt), freeSince);
        }
        long since = freeSince == LeaseState.NOT_FREE ? now : freeSince;
        ElectionTimes t = s.times();
        Candidacy c = s.candidacy();
        long extra;
        String successor = seen == null ? null : seen.successor();
        if (successor != null && c.candidates().contains(successor)) {
            if (successor.equals(s.identity())) {
                extra = 0;
            } else {
                long wait = c.alive(successor) && !c.dead(successor)
                        ? t.lease() : TimeUnit.SECONDS.toNanos(Math.max(1, seen.durationSeconds()));
                int behind = Math.max(0, CandidateRanking.byRendezvous(s.lease(), c.candidates()).indexOf(s.identity()));
                extra = wait + rankDelay(behind, t);
            }
        } else {
            int rank = c.rank();
            if (rank < 0) {
                return new Verdict(new Decision.AfterPlanRefresh(c.planRefreshAt()), since);
            }
            extra = rankDelay(rank, t);
            if (rank > 0 && seen == null && !c.dead(c.firstRanked())) {
                extra += t.lease();
            } else if (rank > 0 && live && now < expiresAt && c.beating(c.firstRanked())) {
                // Freed by a dead holder's heartbeat while the first-ranked successor beats: it takes its share
                // at once, hundreds of writes in a row; going after a rank step wrote the same Leases twice (a
                // 409 and a re-read per takeover: 1,633 for 1,863 takeovers, most of the API's work). Waiting a
                // heartbeat expiry costs no more than a second death: had the first-ranked died too, it would be
                // judged so by then.
                extra += t.heartbeatExpiry();
            }
        }
        long at = since + extra;
        if (at > now) {
            return new Verdict(new Decision.TryAt(at), since);
        }
        if (live && now < expiresAt) {
            // Free by its heartbeat alone: only with a license from a claim, and answered within it.
            return new Verdict(now < holder.licensedUntil() ? new Decision.TryNow(holder.licensedUntil())
                    : new Decision.ClaimHeartbeat(seen.holder(), holder.claimRetryAt()), since);
        }
        return new Verdict(Decision.TRY_NOW, since);
    }

    private static long rankDelay(int rank, ElectionTimes t) {
        return Math.min(rank * t.rankStep(), t.maxRankDelay());
    }
}
