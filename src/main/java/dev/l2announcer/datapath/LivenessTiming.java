package dev.l2announcer.datapath;

import dev.l2announcer.config.AgentConfig;
import dev.l2announcer.config.LeaseTimings;

import java.time.Duration;

/**
 * How long the XDP program keeps answering after the agent's last liveness refresh ({@code maxAge}), and how
 * often the agent refreshes it. Both are derived by {@link LeaseTimings} (the one owner of the lease timing
 * rules, where the safety argument is written down); this is the datapath's view of them.
 */
public record LivenessTiming(Duration maxAge, Duration refreshInterval) {

    public static LivenessTiming of(LeaseTimings timings) {
        return new LivenessTiming(timings.livenessMaxAge(), timings.livenessRefreshInterval());
    }

    public static LivenessTiming forConfig(AgentConfig config) {
        return of(config.leaseTimings());
    }
}
