package dev.l2announcer.election;

/**
 * Where this node stands with one Lease. The sealed set below is the whole state machine; its transitions are
 * {@link LeaseTransitions}' and nowhere else. Timers are derived from the state ({@link #wakeAt()},
 * {@link #deadlineAt}): the engine only keeps them in line with it.
 *
 * <pre>
 *              observe / wake                       write OK in time
 *   Waiting ---------------------&gt; Acquiring ---------------------------&gt; Holding &lt;-----+
 *     ^  ^       (try now)           |   | 409                    wake |  ^    | 409     | renew OK
 *     |  |                           |   v                             v  |    v         |
 *     |  +------- error / late ------+  Rereading &lt;----------------- Renewing ---------+
 *     |                                                                   | deadline, taken over, deleted: Lost
 *     +-------------------------------------------------------------------+  (a hanging renew: Acquiring(renewal))
 *   dropped from the campaign while holding: Released, then Releasing until the release write is answered.
 * </pre>
 */
sealed interface LeaseState {
    /** {@code freeSince} when this node has not judged the lease free since it last changed hands. */
    long NOT_FREE = -1;
    /** {@code wakeAt} when nothing is due. */
    long NEVER = Long.MAX_VALUE;

    /** True while this node counts as the holder (it may announce). */
    default boolean held() {
        return false;
    }

    /** When this state wants to be woken ({@link #NEVER}: by an event only). */
    default long wakeAt(long retryNanos) {
        return NEVER;
    }

    /** When holding lapses without a successful renew ({@link #NEVER} when not held). */
    default long deadlineAt(long renewDeadlineNanos) {
        return NEVER;
    }

    /**
     * Not holding, nothing in flight; woken at {@code wakeAt} to decide again.
     *
     * @param freeSince when this node first judged the lease free (rank delays count from there)
     */
    record Waiting(long freeSince, long wakeAt) implements LeaseState {
        @Override
        public long wakeAt(long retryNanos) {
            return wakeAt;
        }
    }

    /**
     * A write that would make this node the holder is in flight (create, or a conditional update of the observed
     * version). {@code renewal}: it is a renew of a lease this node stopped holding while the renew hung (deadline
     * passed, taken over, given back); its success never counts as holding, it only makes this node decide again.
     */
    record Acquiring(long freeSince, boolean renewal) implements LeaseState {}

    /**
     * This node holds the lease; the next renew is due one retry period after the last attempt was sent (a failed
     * attempt too: client-go waits retryPeriod between attempts, a refused connection must not become a storm).
     */
    record Holding(LeaseRecord mine, long lastRenewSentAt, long lastAttemptSentAt) implements LeaseState {
        Holding(LeaseRecord mine, long lastRenewSentAt) {
            this(mine, lastRenewSentAt, lastRenewSentAt);
        }

        @Override
        public boolean held() {
            return true;
        }

        @Override
        public long wakeAt(long retryNanos) {
            return Math.max(lastRenewSentAt, lastAttemptSentAt) + retryNanos;
        }

        @Override
        public long deadlineAt(long renewDeadlineNanos) {
            return lastRenewSentAt + renewDeadlineNanos;
        }
    }

    /** This node holds the lease and a renew is in flight. */
    record Renewing(LeaseRecord mine, long lastRenewSentAt) implements LeaseState {
        @Override
        public boolean held() {
            return true;
        }

        @Override
        public long deadlineAt(long renewDeadlineNanos) {
            return lastRenewSentAt + renewDeadlineNanos;
        }
    }

    /**
     * After a 409: the Lease is read once to decide from what is there now. {@code mine} is null when this node
     * does not hold the lease (an acquisition conflicted, or the deadline passed meanwhile).
     *
     * @param knownRv the resourceVersion known when the conflict came back (no news = do not spin)
     */
    record Rereading(LeaseRecord mine, long lastRenewSentAt, String knownRv, long freeSince) implements LeaseState {
        @Override
        public boolean held() {
            return mine != null;
        }

        @Override
        public long deadlineAt(long renewDeadlineNanos) {
            return mine == null ? NEVER : lastRenewSentAt + renewDeadlineNanos;
        }
    }

    /**
     * The release write is in flight ({@code WRITE}), after its 409 the Lease is read back once, then written again;
     * or ({@code DELETE}) the conditional delete of a lease whose group is gone.
     */
    record Releasing(Phase phase) implements LeaseState {
        enum Phase { WRITE, READ_BACK, RETRY, DELETE }
    }
}
