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
public record LeaseTimings(Duration leaseDuration, Duration renewDeadline, Duration retryPeriod, Duration heartbeatInterval) {
    /** client-go's leaderelection.JitterFactor, which Cilium's check uses (renew deadline > 1.2 x retry period). */
    static final double JITTER_FACTOR = 1.2;
    private static final Duration MAX_RANK_STEP = Duration.ofMillis(50);
    /**
     * The shortest liveness max age we accept: the stamp is refreshed four times per max age, and a refresh that
     * must come every few milliseconds turns an ordinary scheduling delay into silence.
     */
    static final Duration MIN_LIVENESS_MAX_AGE = Duration.ofMillis(100);
    /** {@code l2-announcements-heartbeat-interval}'s default: sub-second failover. */
    public static final Duration DEFAULT_HEARTBEAT_INTERVAL = Duration.ofMillis(200);
    static final Duration MIN_HEARTBEAT_INTERVAL = Duration.ofMillis(50);

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
        Objects.requireNonNull(heartbeatInterval, "heartbeatInterval");
        Optional<Violation> v = violation(leaseDuration, renewDeadline, retryPeriod)
                .or(() -> heartbeatViolation(leaseDuration, renewDeadline, heartbeatInterval));
        if (v.isPresent()) {
            throw new IllegalArgumentException(v.get().message());
        }
    }

    /** Lease timings without node heartbeats: failover is bounded by the lease model alone, as Cilium's. */
    public LeaseTimings(Duration leaseDuration, Duration renewDeadline, Duration retryPeriod) {
        this(leaseDuration, renewDeadline, retryPeriod, Duration.ZERO);
    }

    public static LeaseTimings of(AgentConfig config) {
        return new LeaseTimings(config.leaseDuration(), config.renewDeadline(), config.retryPeriod(),
                config.heartbeatInterval());
    }

    /**
     * The node heartbeat's rules. 0 switches the fast path off. Otherwise at least 50 ms (a write every interval),
     * and its expiry must stay below what the lease model gives anyway: {@link #heartbeatExpiry()} below the
     * liveness fence of the Service leases' renew deadline.
     */
    public static Optional<Violation> heartbeatViolation(Duration lease, Duration renew, Duration interval) {
        if (interval.isZero()) {
            return Optional.empty();
        }
        if (interval.isNegative() || interval.compareTo(MIN_HEARTBEAT_INTERVAL) < 0) {
            return Optional.of(new Violation(AgentConfigLoader.HEARTBEAT_INTERVAL, interval,
                    "must be 0s (no node heartbeat) or at least " + GoDuration.format(MIN_HEARTBEAT_INTERVAL)));
        }
        Duration expiry = expiryOf(interval);
        Duration wholeLease = Duration.ofSeconds(lease.toSeconds());
        if (expiry.compareTo(wholeLease) >= 0) {
            return Optional.of(new Violation(AgentConfigLoader.HEARTBEAT_INTERVAL, interval,
                    "must be shorter: a node is declared dead after 3.5 x the interval (" + GoDuration.format(expiry)
                            + "), which must be less than the lease duration in whole seconds (" + wholeLease.toSeconds() + "s)"));
        }
        return Optional.empty();
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
        if (lease.toSeconds() > Integer.MAX_VALUE) {
            return Optional.of(new Violation(AgentConfigLoader.LEASE_DURATION, lease, "must be at most "
                    + Integer.MAX_VALUE + "s (leaseDurationSeconds is a 32-bit integer)"));
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
        Duration fence = maxAge(wholeLease, renew);
        if (fence.compareTo(MIN_LIVENESS_MAX_AGE) < 0) {
            return Optional.of(new Violation(AgentConfigLoader.RENEW_DEADLINE, renew, "must leave room for the "
                    + "datapath's liveness fence: the lease duration in whole seconds (" + wholeLease.toSeconds()
                    + "s) minus the renew deadline must be at least " + GoDuration.format(MIN_LIVENESS_MAX_AGE.multipliedBy(2))
                    + " (it is " + GoDuration.format(wholeLease.minus(renew)) + ")"));
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

    /** Requests per second the renewals of {@code heldLeases} need: a holder renews every retryPeriod. */
    public double renewalsPerSecond(int heldLeases) {
        return heldLeases / (retryPeriod.toNanos() / 1e9);
    }

    /**
     * Renewals go first in the client's token bucket (they never wait), so they cannot be starved; but what they
     * take, the agent's other requests wait for. Warn from 80% of {@code k8s-client-qps}, fail at 100% (the other
     * requests then wait without bound). Cilium sizes by renewDeadline, which underestimates: holders renew every
     * retryPeriod.
     */
    public Assessment renewBudget(int heldLeases, double qps) {
        double needed = renewalsPerSecond(heldLeases);
        String summary = String.format(java.util.Locale.ROOT, "%d held leases renew %.1f requests/s of k8s-client-qps %s",
                heldLeases, needed, qps == Math.rint(qps) ? Long.toString((long) qps) : Double.toString(qps));
        if (needed >= qps) {
            return new Assessment(Assessment.Level.FAIL, summary, "renewals take the whole budget: every other API "
                    + "request of the agent waits; raise k8s-client-qps above held leases / retry period");
        }
        if (needed >= 0.8 * qps) {
            return new Assessment(Assessment.Level.WARN, summary, "renewals take over 80% of the budget: raise "
                    + "k8s-client-qps above held leases / retry period plus the other traffic");
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

    /**
     * How long a follower's Lease watch may be down before it stops trusting its observation times. fabric8 re-opens
     * every watch every few minutes, resuming from the last resourceVersion, so a short gap loses no event and
     * resetting every follower's expiry clock then only made failover up to twice a lease duration. A gap of a
     * retry period or more may hide renewals: then every observation restarts when the watch is back.
     */
    public Duration watchGapThatRestartsExpiry() {
        return retryPeriod;
    }

    /** Upper bound of the rank wait, well under one retry period. */
    public Duration maxRankDelay() {
        return retryPeriod.dividedBy(2);
    }

    /**
     * How long the XDP program keeps answering after the agent's last liveness refresh. The invariant it keeps:
     * {@code renewDeadline + maxAge + margin <= leaseDuration (whole seconds)}, margin = maxAge. The agent refreshes
     * the stamp only while every lease it answers for is within its renew deadline ({@code lastRenewSent +
     * renewDeadline}, on the monotonic clock), so the last refresh of a holder that dies, freezes or loses the API
     * is at most renewDeadline after its last successful renew was sent; it goes silent at most maxAge later.
     * Another node takes over no earlier than leaseDurationSeconds after it observed that renew, which it cannot
     * have observed before it was sent: the old holder is silent maxAge before the earliest takeover. (The old
     * rule, min(renewDeadline, (lease - retry) / 2), assumed refreshes stop at the last renew; with 15s/10s/2s it
     * let a holder answer 1.5 s after a takeover.) We use the renew deadline, capped to half of what is left of the
     * whole-second lease after it.
     */
    public Duration livenessMaxAge() {
        Duration leaseFence = maxAge(Duration.ofSeconds(leaseDuration.toSeconds()), renewDeadline);
        return fastFailover() && heartbeatInterval.compareTo(leaseFence) < 0 ? heartbeatInterval : leaseFence;
    }

    // ---------------------------------------------------------------- node heartbeat (the fast path)

    /** Whether node heartbeats run ({@code l2-announcements-heartbeat-interval} > 0). */
    public boolean fastFailover() {
        return !heartbeatInterval.isZero();
    }

    /**
     * How long after the send of its last successful heartbeat a holder may still answer (refresh its kernel
     * stamp, send GARP): two intervals, so one lost heartbeat does not silence it.
     */
    public Duration heartbeatFence() {
        return heartbeatInterval.multipliedBy(2);
    }

    /**
     * How long a follower waits, on its own monotonic clock, after it last observed a new version of a holder's
     * heartbeat before it takes that holder's Service leases over (conditionally, so a live holder's renewal wins).
     * The inequality it keeps: {@code heartbeatFence + livenessMaxAge + margin <= heartbeatExpiry} with margin
     * half an interval: a holder whose heartbeats stop is silent before anyone can take over, since nobody
     * observes a heartbeat before it was sent. 3.5 intervals: 700 ms at the default 200 ms.
     */
    public Duration heartbeatExpiry() {
        return expiryOf(heartbeatInterval);
    }

    private static Duration expiryOf(Duration interval) {
        return interval.multipliedBy(7).dividedBy(2);
    }

    /** The margin the heartbeat inequality keeps (half an interval). */
    public Duration heartbeatMargin() {
        return heartbeatInterval.dividedBy(2);
    }

    private static Duration maxAge(Duration wholeLease, Duration renew) {
        Duration half = wholeLease.minus(renew).dividedBy(2);
        return renew.compareTo(half) < 0 ? renew : half;
    }

    /** How often a live agent refreshes the liveness stamp: several times per max age, at most every retryPeriod. */
    public Duration livenessRefreshInterval() {
        Duration quarter = livenessMaxAge().dividedBy(4);
        return retryPeriod.compareTo(quarter) < 0 ? retryPeriod : quarter;
    }
}
