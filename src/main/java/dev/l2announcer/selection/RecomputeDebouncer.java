package dev.l2announcer.selection;

import org.jboss.logging.Logger;

import java.time.Duration;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Coalesces change signals into runs of one task: the first signal schedules a run {@code delay}
 * later, signals until that run starts join it, a signal during the run schedules the next one.
 * So a burst of any size costs one run per {@code delay} of its duration (plus one), and a change
 * never waits longer than {@code delay} plus one run.
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

    private final Scheduler scheduler;
    private final Duration delay;
    private final Runnable task;
    private final AtomicBoolean pending = new AtomicBoolean();
    private final AtomicLong runs = new AtomicLong();

    public RecomputeDebouncer(Scheduler scheduler, Duration delay, Runnable task) {
        this.scheduler = scheduler;
        this.delay = delay;
        this.task = task;
    }

    public void signal() {
        if (pending.compareAndSet(false, true)) {
            scheduler.schedule(this::run, delay);
        }
    }

    /** How many times the task has run. */
    public long runs() {
        return runs.get();
    }

    private void run() {
        // Cleared before running so that a change arriving while the task reads its inputs
        // schedules another run instead of being lost.
        pending.set(false);
        runs.incrementAndGet();
        try {
            task.run();
        } catch (RuntimeException e) {
            LOG.error("selection recompute failed; retrying on the next change", e);
        }
    }
}
