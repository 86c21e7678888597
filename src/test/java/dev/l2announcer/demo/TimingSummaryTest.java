package dev.l2announcer.demo;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class TimingSummaryTest {
    @Test
    void medianOfOddAndEvenCounts() {
        assertThat(TimingSummary.median(List.of(Duration.ofMillis(30), Duration.ofMillis(10), Duration.ofMillis(20))))
                .isEqualTo(Duration.ofMillis(20));
        assertThat(TimingSummary.median(List.of(Duration.ofMillis(40), Duration.ofMillis(10))))
                .isEqualTo(Duration.ofMillis(25));
    }

    @Test
    void tableHasOneRowPerMeasurementWithMedianMinMax() {
        TimingSummary s = new TimingSummary();
        s.add("kill -9 -> new MAC answers", Duration.ofMillis(3100), "< 4.4 s");
        s.add("kill -9 -> new MAC answers", Duration.ofMillis(3300), "< 4.4 s");
        s.add("kill -9 -> new MAC answers", Duration.ofMillis(3200), "< 4.4 s");
        assertThat(s.table()).contains("| kill -9 -> new MAC answers | 3 | 3200 ms | 3100 ms | 3300 ms | < 4.4 s |");
    }
}
