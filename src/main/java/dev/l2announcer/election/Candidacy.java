package dev.l2announcer.election;

import java.util.SortedSet;

/**
 * What ranking says about one lease, as input to {@link TakeoverRules}. The engine's implementation computes the
 * plan lazily ({@link RankingPlan}); tests pass fixed values.
 */
interface Candidacy {
    /** The cluster-wide candidates of the lease (this node included). */
    SortedSet<String> candidates();

    /** This node's rank among the candidates of the free lease (0 = first), or -1 until the plan may be recomputed. */
    int rank();

    /** When the plan may be recomputed next. */
    long planRefreshAt();

    /** The candidate the plan ranks first for this lease (null when unknown). */
    String firstRanked();

    /** The node holds some lease this node saw renewed within its duration. */
    boolean alive(String node);

    /** The node held leases that expired unrenewed and holds none that is live. */
    boolean dead(String node);

    /**
     * The node's heartbeat was observed within its expiry (fast path): it runs, whether it holds a lease or not (a
     * node that just restarted holds none). False for a node never seen beating, and without the fast path.
     */
    boolean beating(String node);
}
