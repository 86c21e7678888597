package dev.l2announcer.datapath.fake;

import dev.l2announcer.datapath.TaskScheduler;
import dev.l2announcer.time.Ticker;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Comparator;
import java.util.PriorityQueue;
import java.util.Queue;

/**
 * Deterministic {@link TaskScheduler} for tests: tasks run on the test's thread, immediate ones at
 * {@link #runPending()}, delayed ones when {@link #advance} moves time past them. Also a {@link Ticker}.
 */
public final class ManualScheduler implements TaskScheduler, Ticker {
    private record Timed(long due, long seq, Runnable task, boolean[] cancelled) {}

    private final Queue<Runnable> now = new ArrayDeque<>();
    private final PriorityQueue<Timed> later = new PriorityQueue<>(Comparator.comparingLong(Timed::due).thenComparingLong(Timed::seq));
    private long nanos = 1_000_000_000L;
    private long seq;

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
        later.add(new Timed(nanos + delay.toNanos(), seq++, task, cancelled));
        return () -> cancelled[0] = true;
    }

    /** Runs queued immediate tasks (and those they queue), bounded. */
    public void runPending() {
        for (int i = 0; i < 100_000; i++) {
            Runnable r;
            synchronized (this) {
                r = now.poll();
            }
            if (r == null) {
                return;
            }
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
        for (int i = 0; i < 100_000; i++) {
            Timed t;
            synchronized (this) {
                t = later.peek();
                if (t == null || t.due() > target) {
                    nanos = target;
                    return;
                }
                later.poll();
                nanos = t.due();
            }
            if (!t.cancelled()[0]) {
                t.task().run();
            }
            runPending();
        }
        throw new IllegalStateException("timer loop did not settle");
    }

    public synchronized int scheduledCount() {
        return (int) later.stream().filter(t -> !t.cancelled()[0]).count();
    }
}
