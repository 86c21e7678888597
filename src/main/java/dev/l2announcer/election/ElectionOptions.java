package dev.l2announcer.election;

import dev.l2announcer.config.LeaseTimings;
import java.time.Duration;
import java.util.Set;

/**
 * The election engine's tuning beyond the lease timings (which {@link LeaseTimings} owns).
 *
 * @param gcInterval         how often to delete Leases with an empty holder that nobody campaigns for (Cilium: 1 min)
 * @param rankStep           extra wait per rank for lower-ranked candidates of a free lease
 * @param maxRankDelay       upper bound of the rank wait (well under retryPeriod)
 * @param watchCheckInterval how often the watch's health is looked at (a reconnect pauses takeovers)
 * @param keptOnRelease      holder annotations a release keeps (they describe the group, not the holder)
 */
public record ElectionOptions(Duration gcInterval, Duration rankStep, Duration maxRankDelay, Duration watchCheckInterval,
                              Set<String> keptOnRelease) {
    public ElectionOptions {
        keptOnRelease = Set.copyOf(keptOnRelease);
    }

    public static ElectionOptions defaults(LeaseTimings timings) {
        return new ElectionOptions(Duration.ofMinutes(1), timings.rankStep(), timings.maxRankDelay(), Duration.ofMillis(20), Set.of());
    }

    public ElectionOptions keeping(Set<String> annotationKeys) {
        return new ElectionOptions(gcInterval, rankStep, maxRankDelay, watchCheckInterval, annotationKeys);
    }
}
