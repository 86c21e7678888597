package dev.l2announcer.observability;

import dev.l2announcer.time.ManualTime;
import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;

class EventRateLimiterTest {
    private final ManualTime time = new ManualTime();
    private final EventRateLimiter limiter = new EventRateLimiter(time, 2, Duration.ofSeconds(30));

    @Test
    void burstThenOnePerRefillPeriod() {
        assertThat(limiter.tryAcquire("a")).isTrue();
        assertThat(limiter.tryAcquire("a")).isTrue();
        assertThat(limiter.tryAcquire("a")).isFalse();
        time.advance(Duration.ofSeconds(29));
        assertThat(limiter.tryAcquire("a")).isFalse();
        time.advance(Duration.ofSeconds(1));
        assertThat(limiter.tryAcquire("a")).isTrue();
        assertThat(limiter.tryAcquire("a")).isFalse();
    }

    @Test
    void keysAreIndependent() {
        limiter.tryAcquire("a");
        limiter.tryAcquire("a");
        assertThat(limiter.tryAcquire("a")).isFalse();
        assertThat(limiter.tryAcquire("b")).isTrue();
    }

    @Test
    void refillIsCappedAtTheBurst() {
        limiter.tryAcquire("a");
        time.advance(Duration.ofHours(1));
        assertThat(limiter.tryAcquire("a")).isTrue();
        assertThat(limiter.tryAcquire("a")).isTrue();
        assertThat(limiter.tryAcquire("a")).isFalse();
    }

    @Test
    void manyKeysStayBounded() {
        for (int i = 0; i < 10_000; i++) {
            assertThat(limiter.tryAcquire("k" + i)).isTrue();
        }
    }
}
