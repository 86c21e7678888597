package dev.l2announcer.election;

/**
 * What this node knows of one Lease: the newest version it saw and when it saw it, on its own monotonic clock.
 * Expiry is judged from {@code observedAt}, never from the wall-clock {@code renewTime} another node wrote
 * (clock-skew safe). Immutable; a newer version, or a resync after the watch reconnected, is a new observation.
 *
 * @param durationSeconds the Lease's {@code leaseDurationSeconds} (this node's own when the Lease does not say)
 * @param releasedBy      for a Lease with no holder: the node that held it last (it released it), else null
 */
record Observation(LeaseRecord record, long observedAt, int durationSeconds, String releasedBy) {
    private static final long NANOS_PER_SECOND = 1_000_000_000L;

    /** The first observation of {@code record}, or the one following {@code previous} (may be null). */
    static Observation of(LeaseRecord record, long now, int fallbackSeconds, Observation previous) {
        String releasedBy = null;
        if (record.holder().isEmpty() && previous != null) {
            releasedBy = previous.holder().isEmpty() ? previous.releasedBy : previous.holder();
        }
        return new Observation(record, now, record.content().durationOr(fallbackSeconds), releasedBy);
    }

    /** The same version, observed again at {@code now} (a follower that was blind cannot know what happened). */
    Observation restartedAt(long now) {
        return new Observation(record, now, durationSeconds, releasedBy);
    }

    String holder() {
        return record.holder();
    }

    boolean free() {
        return record.holder().isEmpty();
    }

    /** The successor a graceful release named (only meaningful while the holder is empty), or null. */
    String successor() {
        return free() ? LeaseRecords.successor(record.content()) : null;
    }

    long expiresAt() {
        return observedAt + durationSeconds * NANOS_PER_SECOND;
    }

    boolean expired(long now) {
        return expiresAt() <= now;
    }
}
