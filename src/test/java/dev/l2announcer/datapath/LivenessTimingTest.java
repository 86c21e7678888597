package dev.l2announcer.datapath;

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
            "2000, 1900, 1000, 500, 125",      // valid but tight: capped to half of lease - retry
    })
    void deadAgentGoesSilentBeforeAnyTakeover(long lease, long renew, long retry, long maxAge, long refresh) {
        LivenessTiming t = LivenessTiming.of(new dev.l2announcer.config.LeaseTimings(
                Duration.ofMillis(lease), Duration.ofMillis(renew), Duration.ofMillis(retry)));

        assertThat(t.maxAge()).isEqualTo(Duration.ofMillis(maxAge));
        assertThat(t.refreshInterval()).isEqualTo(Duration.ofMillis(refresh));
        // The holder's last refresh is at most one retry period after its last renew; the earliest
        // takeover is a lease duration after that renew: the program must stop answering before.
        assertThat(Duration.ofMillis(retry).plus(t.maxAge())).isLessThan(Duration.ofMillis(lease));
        // Several refreshes fit in one max age, so a live agent never lets the stamp go stale.
        assertThat(t.refreshInterval().multipliedBy(4)).isLessThanOrEqualTo(t.maxAge());
    }
}
