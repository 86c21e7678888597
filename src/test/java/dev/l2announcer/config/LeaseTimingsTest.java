package dev.l2announcer.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The one owner of the lease timing rules: what it refuses, what the doctor hears, what it derives. */
class LeaseTimingsTest {
    static Duration ms(long v) {
        return Duration.ofMillis(v);
    }

    @ParameterizedTest(name = "{0}/{1}/{2}: {3}")
    @CsvSource(delimiter = '|', value = {
            "500|200|100|l2-announcements-lease-duration|must be at least 1s",
            "5000|5000|1000|l2-announcements-lease-duration|must be greater than l2-announcements-renew-deadline (5s)",
            "1500|1200|200|l2-announcements-renew-deadline|must be less than the lease duration in whole seconds (leaseDurationSeconds 1 from l2-announcements-lease-duration 1.5s)",
            "3000|1000|1000|l2-announcements-retry-period|must be at least 20% below l2-announcements-renew-deadline: l2-announcements-renew-deadline (1s) must be greater than l2-announcements-retry-period x 1.2 (1.2s)",
    })
    void refusedCombinationsNameTheKeyAndTheRule(long lease, long renew, long retry, String key, String rule) {
        var v = LeaseTimings.violation(ms(lease), ms(renew), ms(retry)).orElseThrow();
        assertThat(v.key()).isEqualTo(key);
        assertThat(v.rule()).isEqualTo(rule);
        assertThat(LeaseTimings.assess(ms(lease), ms(renew), ms(retry)).level()).isEqualTo(LeaseTimings.Assessment.Level.FAIL);
        assertThatThrownBy(() -> new LeaseTimings(ms(lease), ms(renew), ms(retry))).hasMessageContaining(rule);
    }

    @Test
    void theDoctorWarnsWhenAFailedRenewCannotBeRetriedBeforeTheDeadline() {
        assertThat(LeaseTimings.assess(ms(3000), ms(1500), ms(1000)).level()).isEqualTo(LeaseTimings.Assessment.Level.WARN);
        assertThat(LeaseTimings.assess(ms(15000), ms(5000), ms(2000)).level()).isEqualTo(LeaseTimings.Assessment.Level.OK);
    }

    @Test
    void derivedValues() {
        LeaseTimings cilium = new LeaseTimings(ms(15000), ms(5000), ms(2000));
        assertThat(cilium.leaseDurationSeconds()).isEqualTo(15);
        assertThat(cilium.requestTimeout()).isEqualTo(ms(5000));
        assertThat(cilium.rankStep()).isEqualTo(ms(50));
        assertThat(cilium.maxRankDelay()).isEqualTo(ms(1000));
        LeaseTimings fast = new LeaseTimings(ms(3000), ms(1000), ms(200));
        assertThat(fast.rankStep()).isEqualTo(ms(25));
        assertThat(fast.maxRankDelay()).isEqualTo(ms(100));
        assertThat(fast.livenessMaxAge()).isEqualTo(ms(1000));
        assertThat(fast.livenessRefreshInterval()).isEqualTo(ms(200));
    }
}
