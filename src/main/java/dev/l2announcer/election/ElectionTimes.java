package dev.l2announcer.election;

import dev.l2announcer.config.LeaseTimings;
import java.time.Duration;

/**
 * The engine's timings in monotonic nanoseconds, from {@link LeaseTimings} (the one owner of the rules);
 * {@code heartbeatExpiry} is 0 without the fast path.
 */
record ElectionTimes(long lease, long renewDeadline, long retry, long rankStep, long maxRankDelay, int leaseSeconds,
                     long watchGap, long heartbeatExpiry) {
    static ElectionTimes of(LeaseTimings t, Duration rankStep, Duration maxRankDelay) {
        return new ElectionTimes(t.leaseDuration().toNanos(), t.renewDeadline().toNanos(), t.retryPeriod().toNanos(),
                rankStep.toNanos(), maxRankDelay.toNanos(), t.leaseDurationSeconds(), t.watchGapThatRestartsExpiry().toNanos(),
                t.fastFailover() ? t.heartbeatExpiry().toNanos() : 0);
    }
}
