package dev.l2announcer.config;

import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * The one owner of every rule about {@code l2-announcements-lease-duration}, {@code -renew-deadline} and
 * {@code -retry-period}: which combinations are valid (the config loader prints {@link Violation#rule()}
 * verbatim), what the doctor says about them, and what the election and the datapath derive from them
 * (whole-second lease, request timeout, rank delays, liveness max age and refresh). Cilium keeps its rules
 * in one function as well ({@code pkg/l2announcer/l2announcer.go}, {@code leaseTimings()}); it only warns
 * and substitutes its defaults, we refuse to start.
 *
 * <p>An instance is always valid: the constructor throws what {@link #violation} would report.
 */
public record LeaseTimings(Duration leaseDuration, Duration renewDeadline, Duration retryPeriod) {
    /** client-go's leaderelection.JitterFactor, which Cilium's check uses (renew deadline > 1.2 x retry period). */
    static final double JITTER_FACTOR = 1.2;
    private static final Duration MAX_RANK_STEP = Duration.ofMillis(50);

    /** A broken rule: the key to blame, its effective value and the rule in the loader's words. */
    public record Violation(String key, Duration value, String rule) {
        /** The message without the value's source (the loader adds where the value came from). */
        public String message() {
            return "invalid " + key + " " + GoDuration.format(value) + ": " + rule;
        }
    }

    /** What {@code dbg doctor} says about a combination: {@code problem} empty when nothing is wrong. */
    public record Assessment(Level level, String summary, String problem) {
        public enum Level { OK, WARN, FAIL }
    }

    public LeaseTimings {
        Objects.requireNonNull(leaseDuration, "leaseDuration");
        Objects.requireNonNull(renewDeadline, "renewDeadline");
        Objects.requireNonNull(retryPeriod, "retryPeriod");
        Optional<Violation> v = violation(leaseDuration, renewDeadline, retryPeriod);
        if (v.isPresent()) {
            throw new IllegalArgumentException(v.get().message());
        }
    }

    public static LeaseTimings of(AgentConfig config) {
        return new LeaseTimings(config.leaseDuration(), config.renewDeadline(), config.retryPeriod());
    }

    /**
     * The first rule the combination breaks, in the order the loader has always checked them. Cilium's rules
     * are lease &gt; renew deadline &gt; 1.2 x retry; ours add a lease of at least one second and a renew
     * deadline below the lease in whole seconds, because Leases carry whole-second {@code leaseDurationSeconds}
     * (client-go: {@code int(LeaseDuration / time.Second)}) and other nodes judge expiry from that.
     */
    public static Optional<Violation> violation(Duration lease, Duration renew, Duration retry) {
        if (lease.compareTo(Duration.ofSeconds(1)) < 0) {
            return Optional.of(new Violation(AgentConfigLoader.LEASE_DURATION, lease, "must be at least 1s"));
        }
        if (renew.toNanos() < 1) {
            return Optional.of(new Violation(AgentConfigLoader.RENEW_DEADLINE, renew, "must be at least 1ns"));
        }
        if (retry.toNanos() < 1) {
            return Optional.of(new Violation(AgentConfigLoader.RETRY_PERIOD, retry, "must be at least 1ns"));
        }
        if (lease.compareTo(renew) <= 0) {
            return Optional.of(new Violation(AgentConfigLoader.LEASE_DURATION, lease, "must be greater than "
                    + AgentConfigLoader.RENEW_DEADLINE + " (" + GoDuration.format(renew) + ")"));
        }
        Duration wholeLease = Duration.ofSeconds(lease.toSeconds());
        if (renew.compareTo(wholeLease) >= 0) {
            return Optional.of(new Violation(AgentConfigLoader.RENEW_DEADLINE, renew,
                    "must be less than the lease duration in whole seconds (leaseDurationSeconds "
                            + wholeLease.toSeconds() + " from " + AgentConfigLoader.LEASE_DURATION + " "
                            + GoDuration.format(lease) + ")"));
        }
        long jittered = jittered(retry);
        if (renew.toNanos() <= jittered) {
            return Optional.of(new Violation(AgentConfigLoader.RETRY_PERIOD, retry, "must be at least 20% below "
                    + AgentConfigLoader.RENEW_DEADLINE + ": " + AgentConfigLoader.RENEW_DEADLINE + " ("
                    + GoDuration.format(renew) + ") must be greater than " + AgentConfigLoader.RETRY_PERIOD
                    + " x 1.2 (" + GoDuration.format(Duration.ofNanos(jittered)) + ")"));
        }
        return Optional.empty();
    }

    /** For the doctor: a broken rule fails; a renew deadline that leaves no room for a second attempt warns. */
    public static Assessment assess(Duration lease, Duration renew, Duration retry) {
        String summary = "lease " + lease.toMillis() + "ms, renew deadline " + renew.toMillis() + "ms, retry "
                + retry.toMillis() + "ms";
        Optional<Violation> v = violation(lease, renew, retry);
        if (v.isPresent()) {
            return new Assessment(Assessment.Level.FAIL, summary, v.get().message());
        }
        if (renew.toNanos() < 2 * retry.toNanos()) {
            return new Assessment(Assessment.Level.WARN, summary,
                    "a failed renew cannot be retried before the deadline (renewDeadline < 2 x retryPeriod)");
        }
        return new Assessment(Assessment.Level.OK, summary, "");
    }

    /** Go: {@code time.Duration(1.2 * float64(retry))}. */
    private static long jittered(Duration retry) {
        return (long) (JITTER_FACTOR * (double) retry.toNanos());
    }

    /** {@code spec.leaseDurationSeconds} as written on every acquire and renew. */
    public int leaseDurationSeconds() {
        return (int) leaseDuration.toSeconds();
    }

    /**
     * Bound of one election request: no request may outlive the renew deadline it serves (the deadline timer
     * does not wait for it anyway, but a request answered later would count for nothing).
     */
    public Duration requestTimeout() {
        return renewDeadline;
    }

    /** Extra wait per rank for lower-ranked candidates of a free lease (a fraction of retryPeriod, at most 50 ms). */
    public Duration rankStep() {
        Duration eighth = retryPeriod.dividedBy(8);
        return eighth.compareTo(MAX_RANK_STEP) <= 0 ? eighth : MAX_RANK_STEP;
    }

    /** Upper bound of the rank wait, well under one retry period. */
    public Duration maxRankDelay() {
        return retryPeriod.dividedBy(2);
    }

    /**
     * How long the XDP program keeps answering after the agent's last liveness refresh. A killed agent must go
     * silent before any other node can take its lease over: another node takes over no earlier than
     * leaseDuration after the last renew it observed, and a live holder renews every retryPeriod, so the dead
     * holder's last refresh is at most retryPeriod after its last renew. We use the renew deadline (where a live
     * holder gives up too) capped to half of {@code leaseDuration - retryPeriod}. Found by the netns e2e: with
     * max age = leaseDuration a kill -9'ed holder answered for ~50 ms after the new one.
     */
    public Duration livenessMaxAge() {
        Duration margin = leaseDuration.minus(retryPeriod).dividedBy(2);
        return renewDeadline.compareTo(margin) < 0 ? renewDeadline : margin;
    }

    /** How often a live agent refreshes the liveness stamp: several times per max age, at most every retryPeriod. */
    public Duration livenessRefreshInterval() {
        Duration quarter = livenessMaxAge().dividedBy(4);
        return retryPeriod.compareTo(quarter) < 0 ? retryPeriod : quarter;
    }
}
