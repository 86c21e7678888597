package dev.l2announcer.election;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SortedSet;
import java.util.function.Consumer;

/**
 * Per-lease leader election as the announce loop sees it. The real engine is
 * {@code LeaseElectionEngine}; tests of other packages use an in-memory fake.
 */
public interface LeaderElection {
    /**
     * The complete set of leases this node campaigns for, each with the cluster-wide candidate
     * node names (used to rank candidates). Leases missing from the map are released if held and
     * no longer contested.
     */
    void campaign(Map<String, SortedSet<String>> candidatesByLease);

    /**
     * As {@link #campaign(Map)}, also saying which leases still have a group anywhere ({@code existingGroups}, the
     * selection's lease names): a held lease whose group is gone entirely is deleted (conditionally on its
     * resourceVersion) instead of released, so it does not linger until the garbage collection.
     */
    default void campaign(Map<String, SortedSet<String>> candidatesByLease, Set<String> existingGroups) {
        campaign(candidatesByLease);
    }

    /** Leadership events for leases of this node, delivered in order per lease. Close to stop. */
    AutoCloseable subscribe(Consumer<LeadershipEvent> listener);

    /** Lease names this node holds right now (only after a successful write). */
    Set<String> held();

    /**
     * Whether this node may still answer for {@code lease} at the monotonic moment {@code nowNanos}: it holds
     * the lease and the renew deadline of its last successful renew has not passed, and the election is alive.
     * Thread-safe and cheap: the datapath asks it before every liveness refresh and gratuitous ARP.
     */
    boolean mayAnnounce(String lease, long nowNanos);

    /** False once the election failed in a way it cannot recover from (the process should be restarted). */
    default boolean alive() {
        return true;
    }

    /** What this node knows of every lease it campaigns for or holds (debug views). */
    List<LeaseView> leases();

    /** Releases every held lease (holder cleared), waiting at most {@code timeout}. */
    void shutdown(Duration timeout);

    /**
     * Stops campaigning WITHOUT releasing: held leases expire after their duration. For when this node
     * could not confirm that it stopped answering: a release would let a successor answer at once.
     * A later {@link #shutdown} does nothing. Fakes without expiry may keep the default no-op.
     */
    default void abandon() {
    }

    /**
     * @param holder                  holderIdentity as last observed ("" if none)
     * @param heldByMe                this node holds it (confirmed by a write response)
     * @param sinceLastObservedRenew  local monotonic age of the last renew observed (or written)
     */
    record LeaseView(String name, String holder, boolean heldByMe, int candidates, Duration sinceLastObservedRenew) {}
}
