package dev.l2announcer.health;

import dev.l2announcer.datapath.Device;
import dev.l2announcer.datapath.MacAddress;
import dev.l2announcer.selection.ServiceRef;
import dev.l2announcer.time.ManualTime;
import org.junit.jupiter.api.Test;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

class HealthEventsTest {
    static final MacAddress N1 = MacAddress.parse("02:00:5e:00:02:01");
    static final MacAddress N3 = MacAddress.parse("02:00:5e:00:02:03");
    final ManualTime time = new ManualTime();
    final List<String> sent = new ArrayList<>();
    final HealthEvents events = new HealthEvents((svc, reason, msg) -> sent.add(svc + "|" + reason + "|" + msg), time,
            Duration.ofMinutes(10), "n2");

    static VipTarget target() throws Exception {
        return new VipTarget((Inet4Address) InetAddress.getByName("192.0.2.10"), "cilium-l2announce-default-web",
                List.of(new ServiceRef("default", "web"), new ServiceRef("default", "web-udp")), "n1", Set.of(N1),
                new Device(2, "eth0", MacAddress.parse("02:00:5e:00:02:02"), true, false, "up", "veth", 0));
    }

    VipProbeResult result(List<ProbeReply> replies) throws Exception {
        return ProbeClassifier.classify(target(), replies, Map.of(N1, "n1"), Instant.EPOCH);
    }

    @Test
    void splitBrainWarnsEveryServiceOfTheIpNamingAllMacs() throws Exception {
        events.onResult(result(List.of(new ProbeReply(N1, Duration.ofNanos(1)), new ProbeReply(N3, Duration.ofNanos(2)))));
        assertThat(sent).containsExactly(
                "default/web|L2AnnouncementSplitBrain|ARP for 192.0.2.10 answered by several MACs: 02:00:5e:00:02:01 (n1), "
                        + "02:00:5e:00:02:03; lease holder is n1 (probed by n2 via eth0)",
                "default/web-udp|L2AnnouncementSplitBrain|ARP for 192.0.2.10 answered by several MACs: 02:00:5e:00:02:01 (n1), "
                        + "02:00:5e:00:02:03; lease holder is n1 (probed by n2 via eth0)");
    }

    @Test
    void repeatsAreRateLimitedPerServiceAndReason() throws Exception {
        events.onResult(result(List.of()));
        time.advance(Duration.ofMinutes(1));
        events.onResult(result(List.of()));
        assertThat(sent).hasSize(2); // one per service, the repeat a minute later is dropped
        events.onResult(result(List.of(new ProbeReply(N1, Duration.ofNanos(1)), new ProbeReply(N3, Duration.ofNanos(2)))));
        assertThat(sent).hasSize(4); // another reason is not limited by the first
        time.advance(Duration.ofMinutes(9));
        events.onResult(result(List.of()));
        assertThat(sent).hasSize(6).last().asString().contains("L2AnnouncementNoAnswer|no ARP reply for 192.0.2.10 from lease holder n1");
    }

    @Test
    void healthyAndWrongResponderResultsRaiseNoEvent() throws Exception {
        events.onResult(result(List.of(new ProbeReply(N1, Duration.ofNanos(1)))));
        events.onResult(result(List.of(new ProbeReply(N3, Duration.ofNanos(1)))));
        assertThat(sent).isEmpty();
    }
}
