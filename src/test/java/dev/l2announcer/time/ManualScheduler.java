package dev.l2announcer.time;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayDeque;
import java.util.Comparator;
import java.util.PriorityQueue;
import java.util.Queue;

/**
 * Deterministic {@link TaskScheduler} for tests: tasks run on the test's thread, immediate ones at
 * {@link #runPending()}, delayed ones when {@link #advance} moves time past them, in due order (ties in
 * submission order, as a real single-thread executor). Also the {@link Ticker} of that time and a wall
 * clock that moves with it ({@link #wallClock()}); tasks may be handed in from any thread.
 */
public final class ManualScheduler implements TaskScheduler, Ticker {
    private static final long START_NANOS = 1_000_000_000L;
    private static final int MAX_TASKS_PER_CALL = 1_000_000;

    private record Timed(long due, long seq, Runnable task, boolean[] cancelled) {}

    private final Queue<Runnable> now = new ArrayDeque<>();
    private final PriorityQueue<Timed> later = new PriorityQueue<>(Comparator.comparingLong(Timed::due).thenComparingLong(Timed::seq));
    private final Instant wallStart;
    private long nanos = START_NANOS;
    private long seq;
    /** Called before every task runs and when {@link #advance} reaches its target (see {@link #beforeEachTask}). */
    private Runnable beforeTask = () -> {};

    public ManualScheduler() {
        this(Instant.parse("2026-01-01T00:00:00Z"));
    }

    public ManualScheduler(Instant wallStart) {
        this.wallStart = wallStart;
    }

    @Override
    public synchronized long nanoTime() {
        return nanos;
    }

    @Override
    public synchronized void execute(Runnable task) {
        now.add(task);
    }

    @Override
    public synchronized Cancellable schedule(Runnable task, Duration delay) {
        boolean[] cancelled = {false};
        later.add(new Timed(nanos + Math.max(0, delay.toNanos()), seq++, task, cancelled));
        return () -> {
            synchronized (ManualScheduler.this) {
                cancelled[0] = true;
            }
        };
    }

    /**
     * Calls {@code hook} (on the test's thread) before every task runs and when {@link #advance} reaches its target:
     * between two calls no task ran, so whatever the tasks own stood still. Lets a test judge a time-dependent
     * predicate over every instant, not just sampled ones (the election model check).
     */
    public void beforeEachTask(Runnable hook) {
        beforeTask = hook;
    }

    /** Runs queued immediate tasks (and those they queue), bounded. */
    public void runPending() {
        for (int i = 0; i < MAX_TASKS_PER_CALL; i++) {
            Runnable r;
            synchronized (this) {
                r = now.poll();
            }
            if (r == null) {
                return;
            }
            beforeTask.run();
            r.run();
        }
        throw new IllegalStateException("task loop did not settle");
    }

    /** Moves time forward, running every task that falls due, in order. */
    public void advance(Duration d) {
        long target;
        synchronized (this) {
            target = nanos + d.toNanos();
        }
        runPending();
        for (int i = 0; i < MAX_TASKS_PER_CALL; i++) {
            Timed t;
            synchronized (this) {
                t = later.peek();
                boolean done = t == null || t.due() > target;
                nanos = done ? target : t.due();
                if (done) {
                    t = null;
                } else {
                    later.poll();
                    if (t.cancelled()[0]) {
                        continue;
                    }
                }
            }
            if (t == null) {
                beforeTask.run();
                return;
            }
            beforeTask.run();
            t.task().run();
            runPending();
        }
        throw new IllegalStateException("timer loop did not settle");
    }

    /** Immediate tasks waiting for {@link #runPending()}. */
    public synchronized int pendingCount() {
        return now.size();
    }

    public synchronized int scheduledCount() {
        return (int) later.stream().filter(t -> !t.cancelled()[0]).count();
    }

    /** A wall clock that moves exactly with this scheduler's time. */
    public Clock wallClock() {
        return new Clock() {
            @Override
            public ZoneId getZone() {
                return ZoneOffset.UTC;
            }

            @Override
            public Clock withZone(ZoneId zone) {
                return this;
            }

            @Override
            public Instant instant() {
                return wallStart.plusNanos(nanoTime() - START_NANOS);
            }
        };
    }
}
