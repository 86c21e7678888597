package dev.l2announcer.health;

import dev.l2announcer.time.Ticker;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

/**
 * Bounded probe work: each round takes the current targets and spreads them evenly over the
 * interval (no burst every 60 s on a large cluster), never faster than {@code maxPerSecond}
 * (slots at least 1/max apart, so any one-second window holds at most max slots). When targets
 * outnumber interval x max, a round stretches past the interval rather than exceeding the cap;
 * the next round starts when both the interval has passed and the previous round is done.
 * Single-threaded: the probe loop calls {@link #poll()}; not thread-safe.
 */
public final class ProbeScheduler<T> {
    private final Ticker ticker;
    private final Duration interval;
    private final long minSpacingNanos;
    private final Supplier<List<T>> targets;

    private List<T> round = List.of();
    private int next;
    private long roundStart;
    private long spacing;
    private boolean started;

    public ProbeScheduler(Ticker ticker, Duration interval, int maxPerSecond, Supplier<List<T>> targets) {
        if (interval.isNegative() || interval.isZero()) {
            throw new IllegalArgumentException("interval must be positive: " + interval);
        }
        if (maxPerSecond < 1) {
            throw new IllegalArgumentException("maxPerSecond must be >= 1: " + maxPerSecond);
        }
        this.ticker = ticker;
        this.interval = interval;
        this.minSpacingNanos = (1_000_000_000L + maxPerSecond - 1) / maxPerSecond;
        this.targets = targets;
    }

    /** Targets whose slot has come (possibly several after a late call), starting a new round when due. */
    public List<T> poll() {
        long now = ticker.nanoTime();
        if (!started || (next >= round.size() && now - nextRoundAt() >= 0)) {
            startRound(now);
        }
        List<T> due = new ArrayList<>();
        while (next < round.size() && now - roundStart >= next * spacing) {
            due.add(round.get(next++));
        }
        return due;
    }

    /** Time until {@link #poll()} can return something new (slot or next round). */
    public Duration untilNext() {
        long now = ticker.nanoTime();
        long at = next < round.size() ? roundStart + next * spacing : nextRoundAt();
        return Duration.ofNanos(Math.max(0, at - now));
    }

    /** Spacing of the current round's slots. */
    public Duration spacing() {
        return Duration.ofNanos(spacing);
    }

    /** Interval after the round's start, but never closer than one slot to its last probe. */
    private long nextRoundAt() {
        return roundStart + Math.max(interval.toNanos(), round.size() * spacing);
    }

    private void startRound(long now) {
        started = true;
        round = List.copyOf(targets.get());
        next = 0;
        roundStart = now;
        spacing = round.isEmpty() ? 0 : Math.max(interval.toNanos() / round.size(), minSpacingNanos);
    }

    /**
     * On demand ({@code --probe}): all targets now, still capped: returns batches of at most
     * {@code maxPerSecond}; the caller waits one second between batches.
     */
    public static <T> List<List<T>> batchesForOnDemand(List<T> all, int maxPerSecond) {
        List<List<T>> out = new ArrayList<>();
        for (int i = 0; i < all.size(); i += maxPerSecond) {
            out.add(List.copyOf(all.subList(i, Math.min(all.size(), i + maxPerSecond))));
        }
        return out;
    }
}
