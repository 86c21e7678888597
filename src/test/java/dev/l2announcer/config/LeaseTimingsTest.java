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
            "2000|1900|1000|l2-announcements-renew-deadline|must leave room for the datapath's liveness fence: the lease duration in whole seconds (2s) minus the renew deadline must be at least 200ms (it is 100ms)",
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

    /**
     * The fence: a holder refreshes its stamp only until renewDeadline after its last successful renew was sent,
     * and answers for maxAge more; no other node can take over before leaseDuration after that send. So
     * renewDeadline + maxAge must stay below the whole-second lease with a margin (here: maxAge again).
     */
    @ParameterizedTest(name = "{0}/{1}/{2} -> max age {3}")
    @CsvSource({
            "15000, 5000, 2000, 5000",   // Cilium's defaults
            "3000, 1000, 200, 1000",     // fast failover
            "15000, 10000, 2000, 2500",  // kube-vip's defaults: 10 s + 6.5 s (the old rule) overlapped 1.5 s
            "1500, 700, 200, 150",       // a 1.5 s lease is written as 1 s
            "1000, 500, 100, 250",
    })
    void aHolderIsSilentBeforeAnyTakeover(long lease, long renew, long retry, long maxAge) {
        LeaseTimings t = new LeaseTimings(ms(lease), ms(renew), ms(retry));
        assertThat(t.livenessMaxAge()).isEqualTo(ms(maxAge));
        Duration wholeLease = Duration.ofSeconds(t.leaseDurationSeconds());
        assertThat(t.renewDeadline().plus(t.livenessMaxAge()).plus(t.livenessMaxAge())).isLessThanOrEqualTo(wholeLease);
        assertThat(t.livenessRefreshInterval().multipliedBy(4)).isLessThanOrEqualTo(t.livenessMaxAge());
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
