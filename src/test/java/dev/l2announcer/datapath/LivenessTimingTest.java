package dev.l2announcer.datapath;

import dev.l2announcer.config.LeaseTimings;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;

class LivenessTimingTest {

    @ParameterizedTest(name = "{0}/{1}/{2} -> max age {3}, refresh {4}")
    @CsvSource({
            // lease, renew, retry, expected max age, expected refresh
            "15000, 5000, 2000, 5000, 1250",   // Cilium's defaults: the renew deadline
            "3000, 1000, 200, 1000, 200",      // fast failover: the renew deadline, refresh every retry
            "15000, 10000, 2000, 2500, 625",   // kube-vip's defaults: capped to half of what the lease leaves
    })
    void deadAgentGoesSilentBeforeAnyTakeover(long lease, long renew, long retry, long maxAge, long refresh) {
        LivenessTiming t = LivenessTiming.of(new LeaseTimings(
                Duration.ofMillis(lease), Duration.ofMillis(renew), Duration.ofMillis(retry)));

        assertThat(t.maxAge()).isEqualTo(Duration.ofMillis(maxAge));
        assertThat(t.refreshInterval()).isEqualTo(Duration.ofMillis(refresh));
        // Refreshes stop at the renew deadline (the fence), answers stop max age later; the earliest takeover is
        // a whole lease duration after the last renew: silent before it, with max age to spare.
        assertThat(Duration.ofMillis(renew).plus(t.maxAge()).plus(t.maxAge())).isLessThanOrEqualTo(Duration.ofMillis(lease));
        // Several refreshes fit in one max age, so a live agent never lets the stamp go stale.
        assertThat(t.refreshInterval().multipliedBy(4)).isLessThanOrEqualTo(t.maxAge());
    }
}
