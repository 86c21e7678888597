package dev.l2announcer.datapath;

/**
 * Whether this node may still answer for a Lease at a monotonic moment: it holds the Lease and its renew deadline
 * (last successful renew sent + renewDeadline) has not passed, and the election is alive. Asked on the
 * reconciler's thread, from the monotonic clock, right before the liveness stamp is refreshed and before every
 * gratuitous ARP: so a node whose election is frozen, dead or cut from the API stops being answered for by its
 * own kernel program, whatever its other threads do (the election's Lost event may come much later).
 */
@FunctionalInterface
public interface LeaseFence {
    boolean holds(String lease, long nowNanos);
}
