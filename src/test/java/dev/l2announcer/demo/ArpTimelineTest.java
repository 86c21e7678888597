package dev.l2announcer.demo;

import dev.l2announcer.datapath.ArpFrame;
import dev.l2announcer.datapath.MacAddress;
import org.junit.jupiter.api.Test;

import java.net.Inet4Address;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class ArpTimelineTest {
    static final Inet4Address VIP = NetnsCluster.ipv4("192.0.2.100");
    static final Inet4Address PROBER = NetnsCluster.ipv4("192.0.2.201");
    static final MacAddress A = MacAddress.parse("02:00:00:00:00:11");
    static final MacAddress B = MacAddress.parse("02:00:00:00:00:12");
    static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");

    static ArpPacket answer(long ms, MacAddress from) {
        return new ArpPacket(T0.plusMillis(ms),
                new ArpFrame(ArpObserver.PROBER_MAC, from, ArpFrame.OP_REPLY, from, VIP, ArpObserver.PROBER_MAC, PROBER));
    }

    static ArpPacket garp(long ms, MacAddress from) {
        return new ArpPacket(T0.plusMillis(ms), ArpFrame.gratuitousRequest(from, VIP));
    }

    static List<Instant> probesEvery(long ms, int n) {
        List<Instant> p = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            p.add(T0.plusMillis(i * ms));
        }
        return p;
    }

    @Test
    void failoverIsTheFirstAnswerFromAnotherMacAfterTheKill() {
        ArpTimeline t = new ArpTimeline(VIP, PROBER,
                List.of(answer(1, A), answer(101, A), garp(350, B), answer(401, B), answer(501, B)), probesEvery(100, 6));
        Instant kill = T0.plusMillis(150);
        assertThat(t.firstAnswerAfter(kill, A).orElseThrow().at()).isEqualTo(T0.plusMillis(401));
        assertThat(t.firstGratuitousAfter(kill, A).orElseThrow().at()).isEqualTo(T0.plusMillis(350));
        assertThat(t.lastAnswerBefore(kill, A).orElseThrow().at()).isEqualTo(T0.plusMillis(101));
        assertThat(t.conflicts()).isEmpty();
        assertThat(t.unansweredProbes(kill, T0.plusMillis(600))).isEqualTo(2); // probes at 200 and 300
    }

    @Test
    void twoMacsAnsweringOneProbeIsAConflict() {
        ArpTimeline t = new ArpTimeline(VIP, PROBER,
                List.of(answer(1, A), answer(101, A), answer(102, B), answer(201, B)), probesEvery(100, 3));
        assertThat(t.conflicts()).singleElement().satisfies(c -> {
            assertThat(c.probe()).isEqualTo(T0.plusMillis(100));
            assertThat(c.macs()).containsExactlyInAnyOrder(A, B);
        });
    }

    @Test
    void onlyRepliesFromTheVipToTheProberCountAsAnswers() {
        ArpPacket otherTarget = new ArpPacket(T0,
                new ArpFrame(B, A, ArpFrame.OP_REPLY, A, VIP, B, NetnsCluster.ipv4("192.0.2.200")));
        ArpPacket otherIp = new ArpPacket(T0, new ArpFrame(ArpObserver.PROBER_MAC, A, ArpFrame.OP_REPLY, A,
                NetnsCluster.ipv4("192.0.2.11"), ArpObserver.PROBER_MAC, PROBER));
        ArpTimeline t = new ArpTimeline(VIP, PROBER, List.of(otherTarget, otherIp, garp(5, A)), probesEvery(100, 1));
        assertThat(t.answers()).isEmpty();
        assertThat(t.gratuitous()).hasSize(1);
    }
}
