package dev.l2announcer.selection;

import org.jboss.logging.Logger;

import java.time.Duration;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Coalesces change signals into runs of one task: the first signal schedules a run {@code delay}
 * later, signals until that run starts join it, a signal during the run schedules the next one.
 * So a burst of any size costs one run per {@code delay} of its duration (plus one), and a change
 * never waits longer than {@code delay} plus one run. A run that throws is retried after {@code delay},
 * doubling per consecutive failure up to {@link #MAX_RETRY_DELAY}, until one succeeds.
 */
public final class RecomputeDebouncer {
    private static final Logger LOG = Logger.getLogger(RecomputeDebouncer.class);

    /** Runs a task after a delay; production wraps a single-threaded ScheduledExecutorService. */
    @FunctionalInterface
    public interface Scheduler {
        void schedule(Runnable task, Duration delay);

        static Scheduler of(ScheduledExecutorService executor) {
            return (task, delay) -> executor.schedule(task, delay.toNanos(), TimeUnit.NANOSECONDS);
        }
    }

    /** Longest wait between retries of a failing task. */
    static final Duration MAX_RETRY_DELAY = Duration.ofSeconds(5);

    private final Scheduler scheduler;
    private final Duration delay;
    private final Runnable task;
    private final AtomicBoolean pending = new AtomicBoolean();
    private final AtomicLong runs = new AtomicLong();
    /** Consecutive failed runs; only the scheduler's (single) thread writes it. */
    private volatile int failures;

    public RecomputeDebouncer(Scheduler scheduler, Duration delay, Runnable task) {
        this.scheduler = scheduler;
        this.delay = delay;
        this.task = task;
    }

    public void signal() {
        schedule(delay);
    }

    /** How many times the task has run. */
    public long runs() {
        return runs.get();
    }

    private void schedule(Duration after) {
        if (pending.compareAndSet(false, true)) {
            try {
                scheduler.schedule(this::run, after);
            } catch (RejectedExecutionException e) {
                // The scheduler was shut down (agent stopping); informer threads may still signal.
                pending.set(false);
                LOG.debug("selection recompute not scheduled: scheduler shut down");
            }
        }
    }

    private void run() {
        // Cleared before running so that a change arriving while the task reads its inputs
        // schedules another run instead of being lost.
        pending.set(false);
        runs.incrementAndGet();
        try {
            task.run();
            failures = 0;
        } catch (RuntimeException e) {
            // Retried without waiting for another change: the published snapshot may be stale until a run succeeds.
            // A change arriving meanwhile joins the retry (it reads the newest inputs anyway).
            int n = ++failures;
            Duration retry = retryDelay(n);
            LOG.errorf(e, "selection recompute failed (%d in a row); retrying in %s", n, retry);
            schedule(retry);
        }
    }

    /** delay, 2 x delay, 4 x delay, ... capped at {@link #MAX_RETRY_DELAY} (and never below delay). */
    Duration retryDelay(int consecutiveFailures) {
        Duration d = delay.isZero() || delay.isNegative() ? Duration.ofMillis(1) : delay;
        for (int i = 1; i < consecutiveFailures && d.compareTo(MAX_RETRY_DELAY) < 0; i++) {
            d = d.multipliedBy(2);
        }
        Duration cap = MAX_RETRY_DELAY.compareTo(delay) > 0 ? MAX_RETRY_DELAY : delay;
        return d.compareTo(cap) > 0 ? cap : d;
    }
}
