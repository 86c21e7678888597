package dev.l2announcer.selection;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.Deque;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;

class RecomputeDebouncerTest {

    /** Holds scheduled tasks until the test runs them: time is whatever the test says. */
    static final class ManualScheduler implements RecomputeDebouncer.Scheduler {
        final Deque<Runnable> queue = new ArrayDeque<>();
        Duration lastDelay;

        @Override
        public void schedule(Runnable task, Duration delay) {
            queue.add(task);
            lastDelay = delay;
        }

        void runAll() {
            while (!queue.isEmpty()) {
                queue.poll().run();
            }
        }
    }

    @Test
    void aBurstOfAThousandSignalsCausesOneRecompute() {
        ManualScheduler scheduler = new ManualScheduler();
        AtomicInteger runs = new AtomicInteger();
        RecomputeDebouncer d = new RecomputeDebouncer(scheduler, Duration.ofMillis(100), runs::incrementAndGet);

        for (int i = 0; i < 1_000; i++) {
            d.signal();
        }
        assertThat(scheduler.queue).hasSize(1);
        assertThat(scheduler.lastDelay).isEqualTo(Duration.ofMillis(100));
        scheduler.runAll();
        assertThat(runs).hasValue(1);
        assertThat(d.runs()).isEqualTo(1);
    }

    @Test
    void aBurstSpreadOverTenWindowsCausesTenRecomputes() {
        ManualScheduler scheduler = new ManualScheduler();
        AtomicInteger runs = new AtomicInteger();
        RecomputeDebouncer d = new RecomputeDebouncer(scheduler, Duration.ofMillis(100), runs::incrementAndGet);
        for (int window = 0; window < 10; window++) {
            for (int i = 0; i < 100; i++) {
                d.signal();
            }
            scheduler.runAll(); // the delay elapses
        }
        assertThat(runs).hasValue(10);
    }

    @Test
    void aSignalDuringARecomputeIsNotLost() {
        ManualScheduler scheduler = new ManualScheduler();
        AtomicInteger runs = new AtomicInteger();
        RecomputeDebouncer[] self = new RecomputeDebouncer[1];
        self[0] = new RecomputeDebouncer(scheduler, Duration.ofMillis(10), () -> {
            if (runs.incrementAndGet() == 1) {
                self[0].signal(); // a change arrives while the first recompute reads its inputs
            }
        });
        self[0].signal();
        scheduler.queue.poll().run();
        assertThat(scheduler.queue).as("the change during the run scheduled another").hasSize(1);
        scheduler.runAll();
        assertThat(runs).hasValue(2);
    }

    @Test
    void aFailingRecomputeDoesNotWedgeTheDebouncer() {
        ManualScheduler scheduler = new ManualScheduler();
        AtomicInteger runs = new AtomicInteger();
        RecomputeDebouncer d = new RecomputeDebouncer(scheduler, Duration.ofMillis(10), () -> {
            if (runs.incrementAndGet() == 1) {
                throw new IllegalStateException("boom");
            }
        });
        d.signal();
        scheduler.runAll(); // the failed run and its retry
        assertThat(runs).hasValue(2);
        d.signal();
        scheduler.runAll();
        assertThat(runs).hasValue(3);
        assertThat(scheduler.lastDelay).as("success resets the back-off").isEqualTo(Duration.ofMillis(10));
    }

    @Test
    void aFailingRecomputeIsRetriedWithBoundedBackOffWithoutAnotherChange() {
        ManualScheduler scheduler = new ManualScheduler();
        AtomicInteger runs = new AtomicInteger();
        RecomputeDebouncer d = new RecomputeDebouncer(scheduler, Duration.ofMillis(100), () -> {
            if (runs.incrementAndGet() <= 8) {
                throw new IllegalStateException("API cache not readable yet");
            }
        });
        d.signal();
        List<Duration> delays = new ArrayList<>();
        while (!scheduler.queue.isEmpty()) {
            delays.add(scheduler.lastDelay);
            scheduler.queue.poll().run(); // only the retry itself, no new signal
        }
        assertThat(runs).as("8 failures, then the 9th run succeeds and nothing more is scheduled").hasValue(9);
        assertThat(delays).containsExactly(Duration.ofMillis(100), Duration.ofMillis(100), Duration.ofMillis(200),
                Duration.ofMillis(400), Duration.ofMillis(800), Duration.ofMillis(1600), Duration.ofMillis(3200),
                Duration.ofSeconds(5), Duration.ofSeconds(5));
    }

    @Test
    void aSignalDuringABackOffJoinsTheRetry() {
        ManualScheduler scheduler = new ManualScheduler();
        AtomicInteger runs = new AtomicInteger();
        RecomputeDebouncer d = new RecomputeDebouncer(scheduler, Duration.ofMillis(100), () -> {
            if (runs.incrementAndGet() == 1) {
                throw new IllegalStateException("boom");
            }
        });
        d.signal();
        scheduler.queue.poll().run();
        d.signal();
        assertThat(scheduler.queue).hasSize(1);
        scheduler.runAll();
        assertThat(runs).hasValue(2);
    }

    @Test
    void aSignalAfterTheSchedulerShutDownIsDroppedAndDoesNotWedge() {
        ScheduledExecutorService executor = Executors.newSingleThreadScheduledExecutor();
        executor.shutdown();
        AtomicInteger runs = new AtomicInteger();
        RecomputeDebouncer d = new RecomputeDebouncer(RecomputeDebouncer.Scheduler.of(executor),
                Duration.ofMillis(10), runs::incrementAndGet);
        assertThatCode(d::signal).doesNotThrowAnyException();
        assertThatCode(d::signal).doesNotThrowAnyException();
        assertThat(runs).hasValue(0);

        // pending was reset: a scheduler that accepts again gets the next signal
        ManualScheduler manual = new ManualScheduler();
        boolean[] reject = {true};
        RecomputeDebouncer flaky = new RecomputeDebouncer((task, delay) -> {
            if (reject[0]) {
                throw new RejectedExecutionException("shut down");
            }
            manual.schedule(task, delay);
        }, Duration.ofMillis(10), runs::incrementAndGet);
        flaky.signal();
        reject[0] = false;
        flaky.signal();
        assertThat(manual.queue).hasSize(1);
    }
}
