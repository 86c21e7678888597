package dev.l2announcer.health;

import dev.l2announcer.datapath.Device;
import dev.l2announcer.datapath.MacAddress;
import dev.l2announcer.selection.ServiceRef;
import org.junit.jupiter.api.Test;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

class ProbeClassifierTest {
    static final MacAddress HOLDER = MacAddress.parse("02:00:00:00:00:01");
    static final MacAddress HOLDER2 = MacAddress.parse("02:00:00:00:00:11");
    static final MacAddress OTHER = MacAddress.parse("02:00:00:00:00:02");
    static final MacAddress THIRD = MacAddress.parse("02:00:00:00:00:03");
    static final Instant AT = Instant.parse("2026-01-01T00:00:00Z");
    static final Map<MacAddress, String> OWNERS = Map.of(HOLDER, "n1", OTHER, "n2");

    static VipTarget target(Set<MacAddress> holderMacs) throws Exception {
        return new VipTarget((Inet4Address) InetAddress.getByName("192.0.2.10"), "cilium-l2announce-default-web",
                List.of(new ServiceRef("default", "web")), "n1", holderMacs,
                new Device(2, "eth0", MacAddress.parse("02:00:00:00:00:99"), true, false, "up", "veth", 0));
    }

    static ProbeReply reply(MacAddress m, long micros) {
        return new ProbeReply(m, Duration.ofNanos(micros * 1000));
    }

    @Test
    void onlyHolderAnsweringIsOkWithItsFastestRtt() throws Exception {
        var r = ProbeClassifier.classify(target(Set.of(HOLDER)), List.of(reply(HOLDER, 300), reply(HOLDER, 250)), OWNERS, AT);
        assertThat(r.outcome()).isEqualTo(ProbeOutcome.OK);
        assertThat(r.rtt()).isEqualTo(Duration.ofNanos(250_000));
        assertThat(r.responders()).singleElement()
                .satisfies(x -> {
                    assertThat(x.replies()).isEqualTo(2);
                    assertThat(x.owner()).isEqualTo("n1");
                    assertThat(x.holder()).isTrue();
                });
    }

    @Test
    void holderAnsweringWithTwoOfItsPublishedMacsIsStillOk() throws Exception {
        var r = ProbeClassifier.classify(target(Set.of(HOLDER, HOLDER2)), List.of(reply(HOLDER2, 400), reply(HOLDER, 300)), OWNERS, AT);
        assertThat(r.outcome()).isEqualTo(ProbeOutcome.OK);
        assertThat(r.rtt()).isEqualTo(Duration.ofNanos(300_000));
    }

    @Test
    void silenceIsNoAnswer() throws Exception {
        var r = ProbeClassifier.classify(target(Set.of(HOLDER)), List.of(), OWNERS, AT);
        assertThat(r.outcome()).isEqualTo(ProbeOutcome.NO_ANSWER);
        assertThat(r.rtt()).isNull();
        assertThat(r.responders()).isEmpty();
    }

    @Test
    void loneForeignMacIsWrongResponder() throws Exception {
        var r = ProbeClassifier.classify(target(Set.of(HOLDER)), List.of(reply(OTHER, 100)), OWNERS, AT);
        assertThat(r.outcome()).isEqualTo(ProbeOutcome.WRONG_RESPONDER);
        assertThat(r.rtt()).isNull();
        assertThat(r.responders()).singleElement().satisfies(x -> {
            assertThat(x.mac()).isEqualTo(OTHER);
            assertThat(x.owner()).isEqualTo("n2");
            assertThat(x.holder()).isFalse();
        });
    }

    @Test
    void holderPlusForeignIsSplitBrainNamingAllInArrivalOrder() throws Exception {
        var r = ProbeClassifier.classify(target(Set.of(HOLDER)),
                List.of(reply(OTHER, 100), reply(HOLDER, 200), reply(THIRD, 300), reply(OTHER, 400)), OWNERS, AT);
        assertThat(r.outcome()).isEqualTo(ProbeOutcome.SPLIT_BRAIN);
        assertThat(r.responders()).extracting(VipProbeResult.Responder::mac).containsExactly(OTHER, HOLDER, THIRD);
        assertThat(r.responders()).extracting(VipProbeResult.Responder::owner).containsExactly("n2", "n1", "");
        assertThat(r.responders().getFirst().replies()).isEqualTo(2);
    }

    @Test
    void twoForeignMacsAreSplitBrainToo() throws Exception {
        var r = ProbeClassifier.classify(target(Set.of(HOLDER)), List.of(reply(OTHER, 1), reply(THIRD, 2)), OWNERS, AT);
        assertThat(r.outcome()).isEqualTo(ProbeOutcome.SPLIT_BRAIN);
    }

    @Test
    void unpublishedHolderMacsGiveUnverifiedOrSplitBrain() throws Exception {
        var one = ProbeClassifier.classify(target(Set.of()), List.of(reply(OTHER, 70)), OWNERS, AT);
        assertThat(one.outcome()).isEqualTo(ProbeOutcome.UNVERIFIED);
        assertThat(one.outcome().healthy()).isTrue();
        assertThat(one.rtt()).isEqualTo(Duration.ofNanos(70_000));
        var two = ProbeClassifier.classify(target(Set.of()), List.of(reply(OTHER, 70), reply(HOLDER, 80)), OWNERS, AT);
        assertThat(two.outcome()).isEqualTo(ProbeOutcome.SPLIT_BRAIN);
    }
}
