package dev.l2announcer.selection;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

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
        scheduler.runAll();
        d.signal();
        scheduler.runAll();
        assertThat(runs).hasValue(2);
    }
}
