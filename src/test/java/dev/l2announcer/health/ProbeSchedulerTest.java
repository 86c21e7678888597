package dev.l2announcer.health;

import dev.l2announcer.time.ManualTime;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ProbeSchedulerTest {

    /** Polls every {@code step} for {@code total}; returns (time offset ms, target) of every issued probe. */
    static List<long[]> drive(ManualTime time, ProbeScheduler<Integer> s, Duration step, Duration total) {
        List<long[]> issued = new ArrayList<>();
        long start = time.nanoTime();
        for (long t = 0; t <= total.toNanos(); t += step.toNanos()) {
            for (int x : s.poll()) {
                issued.add(new long[] {(time.nanoTime() - start) / 1_000_000, x});
            }
            time.advance(step);
        }
        return issued;
    }

    static int maxInAnyWindow(List<long[]> issued, long windowMs) {
        int max = 0;
        for (int i = 0; i < issued.size(); i++) {
            int n = 0;
            for (long[] p : issued) {
                if (p[0] >= issued.get(i)[0] && p[0] < issued.get(i)[0] + windowMs) {
                    n++;
                }
            }
            max = Math.max(max, n);
        }
        return max;
    }

    @Test
    void spreadsTargetsEvenlyOverTheInterval() {
        var time = new ManualTime();
        List<Integer> targets = IntStream.range(0, 6).boxed().toList();
        var s = new ProbeScheduler<>(time, Duration.ofSeconds(60), 10, () -> targets);
        var issued = drive(time, s, Duration.ofSeconds(1), Duration.ofSeconds(59));
        assertThat(issued).extracting(p -> p[0]).containsExactly(0L, 10_000L, 20_000L, 30_000L, 40_000L, 50_000L);
        assertThat(issued).extracting(p -> (int) p[1]).containsExactly(0, 1, 2, 3, 4, 5);
        assertThat(s.spacing()).isEqualTo(Duration.ofSeconds(10));
    }

    @Test
    void nextRoundStartsAfterTheIntervalAndSeesNewTargets() {
        var time = new ManualTime();
        var calls = new AtomicInteger();
        var s = new ProbeScheduler<>(time, Duration.ofSeconds(60), 10,
                () -> calls.incrementAndGet() == 1 ? List.of(1, 2) : List.of(7));
        var issued = drive(time, s, Duration.ofSeconds(1), Duration.ofSeconds(150));
        assertThat(issued).extracting(p -> p[0]).containsExactly(0L, 30_000L, 60_000L, 120_000L);
        assertThat(issued).extracting(p -> (int) p[1]).containsExactly(1, 2, 7, 7);
    }

    @Test
    void capsProbesPerSecondAndStretchesTheRoundInsteadOfBursting() {
        var time = new ManualTime();
        List<Integer> targets = IntStream.range(0, 300).boxed().toList();
        var s = new ProbeScheduler<>(time, Duration.ofSeconds(60), 4, () -> targets);
        var issued = drive(time, s, Duration.ofMillis(50), Duration.ofSeconds(100));
        // 300 targets at 4/s need 75 s: the first round runs past the 60 s interval...
        assertThat(issued.stream().filter(p -> p[0] < 75_000).count()).isEqualTo(300);
        assertThat(issued.stream().filter(p -> p[0] < 75_000).map(p -> (int) p[1]).distinct().count()).isEqualTo(300);
        // ...and the cap holds in every one-second window, also across the round boundary.
        assertThat(maxInAnyWindow(issued, 1000)).isEqualTo(4);
        assertThat(issued.stream().filter(p -> p[0] >= 75_000 && p[0] < 76_000).count()).isEqualTo(4);
    }

    @Test
    void lateCallerGetsEverythingDueButNeverMoreThanTheSlotsThatPassed() {
        var time = new ManualTime();
        var s = new ProbeScheduler<>(time, Duration.ofSeconds(10), 100, () -> List.of(1, 2, 3, 4, 5));
        assertThat(s.poll()).containsExactly(1);
        assertThat(s.untilNext()).isEqualTo(Duration.ofSeconds(2));
        time.advance(Duration.ofMillis(4500));
        assertThat(s.poll()).containsExactly(2, 3);
        assertThat(s.untilNext()).isEqualTo(Duration.ofMillis(1500));
        time.advance(Duration.ofSeconds(100));
        assertThat(s.poll()).containsExactly(4, 5);
        assertThat(s.poll()).containsExactly(1);
    }

    @Test
    void emptyRoundsWaitAFullInterval() {
        var time = new ManualTime();
        var s = new ProbeScheduler<Integer>(time, Duration.ofSeconds(60), 5, List::of);
        assertThat(s.poll()).isEmpty();
        assertThat(s.untilNext()).isEqualTo(Duration.ofSeconds(60));
    }

    @Test
    void onDemandBatchesRespectTheCap() {
        assertThat(ProbeScheduler.batchesForOnDemand(List.of(1, 2, 3, 4, 5), 2))
                .containsExactly(List.of(1, 2), List.of(3, 4), List.of(5));
        assertThatThrownBy(() -> new ProbeScheduler<Integer>(new ManualTime(), Duration.ZERO, 1, List::of))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
