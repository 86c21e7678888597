package dev.l2announcer.demo;

import dev.l2announcer.datapath.MacAddress;
import org.junit.jupiter.api.Test;

import java.net.Inet4Address;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

class ArpSamplesTest {
    static final Inet4Address A = NetnsCluster.ipv4("198.51.100.1");
    static final Inet4Address B = NetnsCluster.ipv4("203.0.113.1");
    static final MacAddress M1 = MacAddress.parse("02:00:00:00:00:11");
    static final MacAddress M2 = MacAddress.parse("02:00:00:00:00:12");
    static final long MS = 1_000_000L;

    /** Frames given as (time ms, ip id, mac id) triples. */
    static ArpSamples.Frames frames(long[]... rows) {
        long[] at = new long[rows.length];
        int[] ip = new int[rows.length];
        byte[] mac = new byte[rows.length];
        for (int i = 0; i < rows.length; i++) {
            at[i] = rows[i][0] * MS;
            ip[i] = (int) rows[i][1];
            mac[i] = (byte) rows[i][2];
        }
        return new ArpSamples.Frames(at, ip, mac);
    }

    /** Probes of IP 0 every 100 ms from 0 to 1000 ms; answers as given. */
    static ArpSamples samples(long[]... answers) {
        List<long[]> probes = new ArrayList<>();
        for (long t = 0; t <= 1000; t += 100) {
            probes.add(new long[]{t, 0, -1});
        }
        probes.add(new long[]{50, 1, -1});
        return new ArpSamples(List.of(A, B), List.of(M1, M2), frames(probes.toArray(long[][]::new)), frames(answers),
                ArpSamples.Frames.EMPTY);
    }

    @Test
    void aProbeAnsweredByTwoMacsIsADualAndAnswersToDifferentProbesAreNot() {
        ArpSamples s = samples(new long[]{1, 0, 0}, new long[]{101, 0, 0}, new long[]{102, 0, 1}, new long[]{201, 0, 1},
                new long[]{51, 1, 0});
        assertThat(s.duals(0, 2000 * MS)).singleElement().satisfies(d -> {
            assertThat(d.ip()).isEqualTo(A);
            assertThat(d.probeAt()).isEqualTo(100 * MS);
            assertThat(d.macs()).containsExactlyInAnyOrder(M1, M2);
        });
        assertThat(s.duals(0, 100 * MS)).isEmpty();
        assertThat(s.answerers(0, 0, 150 * MS)).containsExactlyInAnyOrder(M1, M2);
        assertThat(s.answerers(1, 0, 2000 * MS)).containsExactly(M1);
    }

    @Test
    void anOutageRunsFromTheLastAnswerBeforeToTheFirstAnswerAfterAndIsNeverShorterThanTheSilence() {
        // answered at 0..200, silent for the probes at 300..600, answered by the other MAC from 700
        ArpSamples s = samples(new long[]{2, 0, 0}, new long[]{102, 0, 0}, new long[]{203, 0, 0}, new long[]{704, 0, 1},
                new long[]{801, 0, 1}, new long[]{901, 0, 1}, new long[]{1001, 0, 1});
        ArpSamples.Outage o = s.longestOutage(0, 0, 2000 * MS).orElseThrow();
        assertThat(o.from()).isEqualTo(203 * MS);
        assertThat(o.to()).isEqualTo(704 * MS);
        assertThat(o.unansweredProbes()).isEqualTo(4);
        assertThat(o.recovered()).isTrue();
        // A window that starts inside the outage still measures it whole.
        assertThat(s.longestOutage(0, 450 * MS, 460 * MS)).isEmpty();
        assertThat(s.longestOutage(0, 450 * MS, 550 * MS).orElseThrow().from()).isEqualTo(203 * MS);
        assertThat(s.firstAnswerAfter(0, 250 * MS, Set.of(M2))).isEqualTo(704 * MS);
        assertThat(s.firstAnswerAfter(0, 250 * MS, Set.of(M1))).isEqualTo(-1);
        assertThat(s.lastAnsweredProbe(0, 0, 2000 * MS, Set.of(M1))).isEqualTo(200 * MS);
    }

    @Test
    void anOutageThatLastsToTheEndIsUnrecoveredAndLateAnswersBelongToNoProbe() {
        ArpSamples s = samples(new long[]{1, 0, 0}, new long[]{101, 0, 0});
        ArpSamples.Outage o = s.longestOutage(0, 0, 2000 * MS).orElseThrow();
        assertThat(o.recovered()).isFalse();
        assertThat(o.from()).isEqualTo(101 * MS);
        assertThat(o.to()).isEqualTo(1000 * MS);
        // An answer more than a second after the last probe is attributed to nothing.
        ArpSamples late = samples(new long[]{2500, 0, 0});
        assertThat(late.answerers(0, 0, 3000 * MS)).isEmpty();
        assertThat(late.probes(0, 0, 3000 * MS)).isEqualTo(11);
        assertThat(late.probes(0, 3000 * MS)).isEqualTo(12);
    }

    @Test
    void everyOutageIsListedInTimeOrderAndTheLongestIsTheFirstOfEqualOnes() {
        // answered at 0, 300, 400, 800..1000: silent at 100-200 (from 2 to 303) and 500-700 (from 401 to 802)
        ArpSamples s = samples(new long[]{2, 0, 0}, new long[]{303, 0, 0}, new long[]{401, 0, 1}, new long[]{802, 0, 1},
                new long[]{901, 0, 1}, new long[]{1001, 0, 1});
        assertThat(s.outages(0, 0, 2000 * MS)).extracting(ArpSamples.Outage::from, ArpSamples.Outage::to)
                .containsExactly(org.assertj.core.groups.Tuple.tuple(2 * MS, 303 * MS),
                        org.assertj.core.groups.Tuple.tuple(401 * MS, 802 * MS));
        assertThat(s.longestOutage(0, 0, 2000 * MS).orElseThrow().from()).isEqualTo(401 * MS);
        assertThat(s.outages(0, 250 * MS, 2000 * MS)).hasSize(1);
        ArpSamples ties = samples(new long[]{2, 0, 0}, new long[]{302, 0, 0}, new long[]{402, 0, 0}, new long[]{702, 0, 0},
                new long[]{801, 0, 0}, new long[]{901, 0, 0}, new long[]{1001, 0, 0});
        assertThat(ties.longestOutage(0, 0, 2000 * MS).orElseThrow().from()).isEqualTo(2 * MS);
    }
}
