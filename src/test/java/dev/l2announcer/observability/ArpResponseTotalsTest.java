package dev.l2announcer.observability;

import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class ArpResponseTotalsTest {
    @Test
    void totalNeverGoesDownWhenEntriesVanishOrRestart() {
        ArpResponseTotals t = new ArpResponseTotals();
        assertThat(t.total(Map.of("a", 5L, "b", 3L))).isEqualTo(8);
        assertThat(t.total(Map.of("a", 7L))).isEqualTo(10);          // b deleted: its 3 stay counted
        assertThat(t.total(Map.of("a", 1L))).isEqualTo(11);          // a re-created: 7 retired + 1
        assertThat(t.total(Map.of("a", 1L, "c", 4L))).isEqualTo(15);
        assertThat(t.total(Map.of())).isEqualTo(15);
    }
}
