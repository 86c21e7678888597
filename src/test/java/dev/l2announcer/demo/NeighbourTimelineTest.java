package dev.l2announcer.demo;

import dev.l2announcer.datapath.ArpFrame;
import dev.l2announcer.datapath.MacAddress;
import dev.l2announcer.datapath.NdpFrame;
import org.junit.jupiter.api.Test;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class NeighbourTimelineTest {
    static final Inet4Address VIP = NetnsCluster.ipv4("192.0.2.100");
    static final Inet4Address PROBER = NetnsCluster.ipv4("192.0.2.201");
    static final Inet6Address VIP6 = (Inet6Address) InetAddress.ofLiteral("2001:db8::100");
    static final Inet6Address PROBER6 = (Inet6Address) InetAddress.ofLiteral(NetnsCluster.PROBER_IP6);
    static final MacAddress A = MacAddress.parse("02:00:00:00:00:11");
    static final MacAddress B = MacAddress.parse("02:00:00:00:00:12");
    static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");

    static NeighbourPacket answer(long ms, MacAddress from) {
        return NeighbourPacket.of(T0.plusMillis(ms),
                new ArpFrame(NeighbourObserver.PROBER_MAC, from, ArpFrame.OP_REPLY, from, VIP, NeighbourObserver.PROBER_MAC, PROBER));
    }

    static NeighbourPacket garp(long ms, MacAddress from) {
        return NeighbourPacket.of(T0.plusMillis(ms), ArpFrame.gratuitousRequest(from, VIP));
    }

    /** What the XDP program sends to the prober's solicitation: S=1, O=1, to the prober, TLLA = the node's MAC. */
    static NeighbourPacket answer6(long ms, MacAddress from) {
        return NeighbourPacket.of(T0.plusMillis(ms), new NdpFrame(NeighbourObserver.PROBER_MAC, from, VIP6, PROBER6, 255,
                NdpFrame.TYPE_ADVERTISEMENT, NdpFrame.SOLICITED | NdpFrame.OVERRIDE, VIP6, from));
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
        NeighbourTimeline t = new NeighbourTimeline(VIP, PROBER,
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
        NeighbourTimeline t = new NeighbourTimeline(VIP, PROBER,
                List.of(answer(1, A), answer(101, A), answer(102, B), answer(201, B)), probesEvery(100, 3));
        assertThat(t.conflicts()).singleElement().satisfies(c -> {
            assertThat(c.probe()).isEqualTo(T0.plusMillis(100));
            assertThat(c.macs()).containsExactlyInAnyOrder(A, B);
        });
    }

    @Test
    void onlyRepliesFromTheVipToTheProberCountAsAnswers() {
        NeighbourPacket otherTarget = NeighbourPacket.of(T0,
                new ArpFrame(B, A, ArpFrame.OP_REPLY, A, VIP, B, NetnsCluster.ipv4("192.0.2.200")));
        NeighbourPacket otherIp = NeighbourPacket.of(T0, new ArpFrame(NeighbourObserver.PROBER_MAC, A, ArpFrame.OP_REPLY, A,
                NetnsCluster.ipv4("192.0.2.11"), NeighbourObserver.PROBER_MAC, PROBER));
        NeighbourTimeline t = new NeighbourTimeline(VIP, PROBER, List.of(otherTarget, otherIp, garp(5, A)), probesEvery(100, 1));
        assertThat(t.answers()).isEmpty();
        assertThat(t.gratuitous()).hasSize(1);
    }

    @Test
    void ipv6AnswersAreSolicitedAdvertisementsToTheProberAndUnsolicitedOnesAreGratuitous() {
        NeighbourPacket unsolicited = NeighbourPacket.of(T0.plusMillis(150), NdpFrame.unsolicitedAdvertisement(B, VIP6));
        NeighbourPacket toTheClient = NeighbourPacket.of(T0.plusMillis(160), new NdpFrame(A, B, VIP6,
                (Inet6Address) InetAddress.ofLiteral(NetnsCluster.CLIENT_IP6), 255, NdpFrame.TYPE_ADVERTISEMENT,
                NdpFrame.SOLICITED | NdpFrame.OVERRIDE, VIP6, B));
        NeighbourPacket probe = NeighbourPacket.of(T0.plusMillis(200), NdpFrame.solicitation(NeighbourObserver.PROBER_MAC, PROBER6, VIP6));
        NeighbourTimeline t = new NeighbourTimeline(VIP6, PROBER6,
                List.of(answer6(1, A), answer6(101, A), answer6(102, B), unsolicited, toTheClient, probe, answer6(201, B)),
                probesEvery(100, 3));
        assertThat(t.answers()).extracting(NeighbourPacket::senderMac).containsExactly(A, A, B, B);
        assertThat(t.gratuitous()).singleElement().satisfies(p -> {
            assertThat(p.senderMac()).isEqualTo(B);
            assertThat(p.at()).isEqualTo(T0.plusMillis(150));
        });
        assertThat(t.conflicts()).singleElement().satisfies(c -> assertThat(c.macs()).containsExactlyInAnyOrder(A, B));
        assertThat(t.firstAnswerAfter(T0.plusMillis(110), A).orElseThrow().at()).isEqualTo(T0.plusMillis(201));
    }
}
