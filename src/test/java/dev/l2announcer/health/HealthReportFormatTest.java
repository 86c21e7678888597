package dev.l2announcer.health;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
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

class HealthReportFormatTest {
    static final MacAddress N1 = MacAddress.parse("02:00:5e:00:02:01");
    static final MacAddress N3 = MacAddress.parse("02:00:5e:00:02:03");
    static final Instant T0 = Instant.parse("2026-11-24T22:40:16.5Z");
    static final Device ETH0 = new Device(2, "eth0", MacAddress.parse("02:00:5e:00:02:02"), true, false, "up", "veth", 0);
    static final Device ETH1 = new Device(3, "eth1", MacAddress.parse("02:00:5e:00:03:02"), true, false, "up", "veth", 0);

    static VipTarget target(String ip, Device via) throws Exception {
        return new VipTarget((Inet4Address) InetAddress.getByName(ip), "cilium-l2announce-default-web",
                List.of(new ServiceRef("default", "web"), new ServiceRef("default", "web-udp")), "n1", Set.of(N1), via);
    }

    @Test
    void goDurationMatchesGoFormatting() {
        assertThat(HealthReportFormat.goDuration(Duration.ofNanos(434_173_000))).isEqualTo("434.173ms");
        assertThat(HealthReportFormat.goDuration(Duration.ofNanos(434_173))).isEqualTo("434.173µs");
        assertThat(HealthReportFormat.goDuration(Duration.ofNanos(1_258_166))).isEqualTo("1.258166ms");
        assertThat(HealthReportFormat.goDuration(Duration.ofNanos(999))).isEqualTo("999ns");
        assertThat(HealthReportFormat.goDuration(Duration.ofMillis(2500))).isEqualTo("2.5s");
        assertThat(HealthReportFormat.goDuration(Duration.ofSeconds(90))).isEqualTo("1m30s");
        assertThat(HealthReportFormat.goDuration(Duration.ofSeconds(3600))).isEqualTo("1h0m0s");
        assertThat(HealthReportFormat.goDuration(Duration.ofMillis(1))).isEqualTo("1ms");
        assertThat(HealthReportFormat.goDuration(Duration.ZERO)).isEqualTo("0s");
    }

    static HealthReport sample() throws Exception {
        var nodes = List.of(
                new NodeProbeResult(new NodeTarget("n2", InetAddress.getByName("192.0.2.2"), true), true,
                        Duration.ofNanos(434_173), "", T0),
                new NodeProbeResult(new NodeTarget("n1", InetAddress.getByName("192.0.2.1"), false), true,
                        Duration.ofNanos(1_258_166), "", T0.minusSeconds(20)),
                new NodeProbeResult(new NodeTarget("n3", InetAddress.getByName("192.0.2.3"), false), false,
                        null, "connection refused", T0.minusSeconds(10)));
        var owners = Map.of(N1, "n1", N3, "n3");
        var vips = List.of(
                ProbeClassifier.classify(target("192.0.2.11", ETH0), List.of(), owners, T0.minusSeconds(5)),
                ProbeClassifier.classify(target("192.0.2.10", ETH1),
                        List.of(new ProbeReply(N1, Duration.ofNanos(200_000)), new ProbeReply(N3, Duration.ofNanos(300_000))), owners,
                        T0.minusSeconds(30)),
                ProbeClassifier.classify(target("192.0.2.10", ETH0), List.of(new ProbeReply(N1, Duration.ofNanos(312_500))), owners,
                        T0.minusSeconds(40)),
                ProbeClassifier.classify(target("192.0.2.9", ETH0), List.of(new ProbeReply(N3, Duration.ofNanos(90_000))), owners,
                        T0.minusSeconds(50)),
                ProbeClassifier.error(target("198.51.100.1", ETH0), "sendto(AF_PACKET, ifindex 2): ENETDOWN", T0.minusSeconds(1)));
        return HealthReport.of("n2", nodes, vips);
    }

    @Test
    void textFollowsCiliumHealthStatusLayout() throws Exception {
        assertThat(HealthReportFormat.text(sample())).isEqualTo("""
                Probe time:   2026-11-24T22:40:16Z
                Nodes:
                  n1:
                    Host connectivity to 192.0.2.1:
                      HTTP via L3:     OK, RTT=1.258166ms
                  n2 (localhost):
                    Host connectivity to 192.0.2.2:
                      HTTP via L3:     OK, RTT=434.173µs
                  n3:
                    Host connectivity to 192.0.2.3:
                      HTTP via L3:     connection refused
                Announced IPs:
                  192.0.2.9 (default/web, default/web-udp), lease cilium-l2announce-default-web, holder n1:
                    ARP via eth0:    wrong-responder 02:00:5e:00:02:03 (n3) (expected 02:00:5e:00:02:01 of n1)
                  192.0.2.10 (default/web, default/web-udp), lease cilium-l2announce-default-web, holder n1:
                    ARP via eth0:    OK, RTT=312.5µs, MAC=02:00:5e:00:02:01
                    ARP via eth1:    split-brain, MACs=02:00:5e:00:02:01 (n1, holder), 02:00:5e:00:02:03 (n3)
                  192.0.2.11 (default/web, default/web-udp), lease cilium-l2announce-default-web, holder n1:
                    ARP via eth0:    no-answer (expected 02:00:5e:00:02:01 of n1)
                  198.51.100.1 (default/web, default/web-udp), lease cilium-l2announce-default-web, holder n1:
                    ARP via eth0:    error: sendto(AF_PACKET, ifindex 2): ENETDOWN
                """);
    }

    @Test
    void emptyReportSaysSo() {
        assertThat(HealthReportFormat.text(HealthReport.of("n1", List.of(), List.of())))
                .startsWith("Probe time:   never\nNodes:\n  (none probed yet)\nAnnounced IPs:\n  (none probed");
    }

    @Test
    void jsonCarriesEveryFieldMachineReadably() throws Exception {
        JsonNode j = new ObjectMapper().readTree(HealthReportFormat.json(sample()));
        assertThat(j.get("probeTime").asText()).isEqualTo("2026-11-24T22:40:16.500Z");
        assertThat(j.get("localNode").asText()).isEqualTo("n2");
        assertThat(j.get("nodes")).hasSize(3);
        JsonNode n3 = j.get("nodes").get(2);
        assertThat(n3.get("name").asText()).isEqualTo("n3");
        assertThat(n3.get("status").asText()).isEqualTo("down");
        assertThat(n3.get("rttNanos").isNull()).isTrue();
        assertThat(n3.get("error").asText()).isEqualTo("connection refused");
        assertThat(j.get("nodes").get(1).get("rttNanos").asLong()).isEqualTo(434_173);
        JsonNode ten = j.get("vips").get(1);
        assertThat(ten.get("ip").asText()).isEqualTo("192.0.2.10");
        assertThat(ten.get("services").toString()).isEqualTo("[\"default/web\",\"default/web-udp\"]");
        JsonNode split = ten.get("probes").get(1);
        assertThat(split.get("interface").asText()).isEqualTo("eth1");
        assertThat(split.get("outcome").asText()).isEqualTo("split-brain");
        assertThat(split.get("responders").findValuesAsText("mac")).containsExactly("02:00:5e:00:02:01", "02:00:5e:00:02:03");
        assertThat(split.get("responders").findValuesAsText("owner")).containsExactly("n1", "n3");
        assertThat(ten.get("probes").get(0).get("rtt").asText()).isEqualTo("312.5µs");
    }
}
