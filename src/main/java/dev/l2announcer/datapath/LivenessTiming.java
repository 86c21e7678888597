package dev.l2announcer.datapath;

import dev.l2announcer.config.AgentConfig;

import java.time.Duration;

/**
 * How long the XDP program keeps answering after the agent's last liveness refresh, and how often the
 * agent refreshes it.
 *
 * <p>A killed agent must go silent before any other node can take its lease over, or two MACs answer
 * for one IP. Another node takes over no earlier than {@code leaseDuration} after the last renew it
 * observed, and a live holder renews every {@code retryPeriod}, so the dead holder's last refresh is at
 * most {@code retryPeriod} after its last renew: answering must stop within
 * {@code leaseDuration - retryPeriod} of the last refresh. We use the renew deadline (the point where a
 * live holder gives up too, as the lease contract says) capped to half of that margin. Found by the
 * netns e2e: with max age = leaseDuration a kill -9'ed holder answered for ~50 ms after the new one.
 */
public record LivenessTiming(Duration maxAge, Duration refreshInterval) {

    public static LivenessTiming forConfig(AgentConfig config) {
        return forLease(config.leaseDuration(), config.renewDeadline(), config.retryPeriod());
    }

    public static LivenessTiming forLease(Duration leaseDuration, Duration renewDeadline, Duration retryPeriod) {
        Duration margin = leaseDuration.minus(retryPeriod).dividedBy(2);
        Duration maxAge = renewDeadline.compareTo(margin) < 0 ? renewDeadline : margin;
        Duration quarter = maxAge.dividedBy(4);
        Duration refresh = retryPeriod.compareTo(quarter) < 0 ? retryPeriod : quarter;
        return new LivenessTiming(maxAge, refresh);
    }
}
