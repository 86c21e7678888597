package dev.l2announcer.time;

import java.time.Duration;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * The single thread the reconciler runs on: everything it does is confined to it, so it needs no
 * locks. Tests inject a manual implementation ({@link dev.l2announcer.time.ManualScheduler}).
 */
public interface TaskScheduler {
    void execute(Runnable task);

    Cancellable schedule(Runnable task, Duration delay);

    @FunctionalInterface
    interface Cancellable {
        void cancel();
    }

    /** One platform thread (native calls block it briefly; virtual threads would pin). */
    static TaskScheduler singleThread(String name) {
        return of(singleThreadExecutor(name));
    }

    /**
     * The executor behind {@link #singleThread}, for owners that shut it down themselves. Cancelled timers leave
     * its queue at once: components reschedule deadlines on every renew, thousands of times per second.
     */
    static ScheduledExecutorService singleThreadExecutor(String name) {
        ScheduledThreadPoolExecutor ex = new ScheduledThreadPoolExecutor(1, r -> Thread.ofPlatform().daemon().name(name).unstarted(r));
        ex.setRemoveOnCancelPolicy(true);
        return ex;
    }

    /** Over an executor the caller owns (and shuts down); give it one thread, the reconciler needs no locks then. */
    static TaskScheduler of(ScheduledExecutorService ex) {
        return new TaskScheduler() {
            @Override
            public void execute(Runnable task) {
                ex.execute(task);
            }

            @Override
            public Cancellable schedule(Runnable task, Duration delay) {
                ScheduledFuture<?> f = ex.schedule(task, delay.toNanos(), TimeUnit.NANOSECONDS);
                return () -> f.cancel(false);
            }
        };
    }
}
