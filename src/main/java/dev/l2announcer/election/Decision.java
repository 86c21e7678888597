package dev.l2announcer.election;

/** What a node that does not hold a lease decides to do about it ({@link TakeoverRules}). */
sealed interface Decision {
    /** Write now: create the Lease when none is observed, else a conditional update of the observed version. */
    record TryNow() implements Decision {}

    /** Decide again at {@code at} (the holder's expiry, or the end of this node's rank delay). */
    record TryAt(long at) implements Decision {}

    /** This node's rank is unknown until the plan may be recomputed, at {@code at}. */
    record AfterPlanRefresh(long at) implements Decision {}

    /** Nothing to do until something changes: not campaigning, stopping, or the watch is not synced. */
    record NotOurs() implements Decision {}

    Decision TRY_NOW = new TryNow();
    Decision NOT_OURS = new NotOurs();
}
