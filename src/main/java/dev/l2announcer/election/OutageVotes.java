package dev.l2announcer.election;

import java.time.Duration;
import java.util.Set;

/**
 * What the fast path's API-outage agreement needs of the election (the agreement itself talks to the peers, over
 * the agents' node-probe channel). A holder whose heartbeat cannot reach the API asks every candidate of its
 * leases; only when all of them answer that they cannot reach the API either is the {@link #roundConfirmed} (it keeps
 * answering: nobody can take its leases over without the API). A node that answers so promises not to take any
 * of the asker's leases for a whole heartbeat expiry ({@link #promiseNoTakeover}), longer than the extension its
 * answer granted. Any doubt (a peer unreachable, one peer reaching the API) and the holder fences as usual.
 */
public interface OutageVotes {
    /** Whether node heartbeats (the fast path) run at all. */
    boolean fastFailover();

    /** This node's last successful heartbeat was sent less than the heartbeat fence ago. */
    boolean apiReachable();

    /** The API looks unreachable from here (last heartbeat failed or overdue): ask for, and give, outage votes. */
    boolean apiInDoubt();

    /** The other candidates of the leases this node holds: who must confirm an outage. */
    Set<String> peersOfHeldLeases();

    /**
     * Every candidate confirmed the round that started at this monotonic moment: keep answering a heartbeat fence
     * after it although the fence has passed, and count deferred renew deadlines from it when the API returns.
     */
    void roundConfirmed(long roundStartNanos);

    /** This node told {@code holder} it cannot reach the API: take none of its leases for a heartbeat expiry. */
    void promiseNoTakeover(String holder);

    /**
     * This node knows {@code holder}'s heartbeat was claimed (by itself or another node) and saw no beat since:
     * {@code holder}'s leases may have been taken over already, so its outage must not be confirmed.
     */
    boolean claimed(String holder);

    /** The heartbeat interval (the agreement's round), zero when off. */
    Duration heartbeatInterval();

    /** No fast path: never confirms an outage, never asks. */
    OutageVotes NONE = new OutageVotes() {
        @Override public boolean fastFailover() { return false; }
        @Override public boolean apiReachable() { return true; }
        @Override public boolean apiInDoubt() { return false; }
        @Override public Set<String> peersOfHeldLeases() { return Set.of(); }
        @Override public void roundConfirmed(long roundStartNanos) { }
        @Override public void promiseNoTakeover(String holder) { }
        @Override public boolean claimed(String holder) { return false; }
        @Override public Duration heartbeatInterval() { return Duration.ZERO; }
    };
}
