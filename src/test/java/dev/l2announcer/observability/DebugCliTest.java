package dev.l2announcer.observability;

import com.sun.net.httpserver.HttpServer;
import dev.l2announcer.announce.AnnouncementRow;
import dev.l2announcer.announce.AnnouncementTable;
import dev.l2announcer.config.AgentConfig;
import dev.l2announcer.datapath.ResponderEntry;
import dev.l2announcer.election.LeaderElection;
import dev.l2announcer.datapath.fake.Links;
import dev.l2announcer.fakes.InMemoryLeases;
import dev.l2announcer.datapath.fake.FakeResponderMap;
import dev.l2announcer.selection.ServiceRef;
import dev.l2announcer.time.ManualTime;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.SortedSet;
import java.util.TreeSet;

import static org.assertj.core.api.Assertions.assertThat;

/** The CLI against a running debug endpoint (the same DebugViews the Quarkus resource serves). */
class DebugCliTest {
    private HttpServer http;
    private int port;

    @BeforeEach
    void start() throws Exception {
        Inet4Address ip = (Inet4Address) InetAddress.getByName("192.0.2.10");
        FakeResponderMap map = new FakeResponderMap();
        InetAddress ip6 = InetAddress.getByName("2001:db8::10");
        map.put(new ResponderEntry(ip6, 2));
        map.put(new ResponderEntry(ip, 2));
        for (int i = 0; i < 42; i++) {
            map.answered(new ResponderEntry(ip, 2));
        }
        for (int i = 0; i < 7; i++) {
            map.answered(new ResponderEntry(ip6, 2));
        }
        // A dual-stack Service: one row per address, one lease.
        AnnouncementTable table = new AnnouncementTable(List.of(
                new AnnouncementRow(ip, "eth0", List.of(new ServiceRef("default", "web")), "cilium-l2announce-default-web",
                        Instant.parse("2026-01-01T00:00:00Z")),
                new AnnouncementRow(ip6, "eth0", List.of(new ServiceRef("default", "web")), "cilium-l2announce-default-web",
                        Instant.parse("2026-01-01T00:00:00Z"))));
        ManualTime time = new ManualTime();
        InMemoryLeases leases = new InMemoryLeases(time.wallClock());
        LeaderElection election = leases.node("node-a");
        SortedSet<String> cands = new TreeSet<>(List.of("node-a", "node-b"));
        election.campaign(Map.of("cilium-l2announce-default-web", cands));
        DoctorCheck duplicateMap = new DoctorCheck("datapath.duplicate-map", DoctorCheck.Status.FAIL,
                "2 maps named l2_responder_v4", List.of("bpftool map show name l2_responder_v4"));
        DebugViews views = new DebugViews(AgentConfig.defaults("node-a"), () -> table, List::of,
                Links.loAndEth0(1), map, election, () -> {
                    List<DoctorCheck> l = new java.util.ArrayList<>(ConfigChecks.check(AgentConfig.defaults("node-a")));
                    l.add(duplicateMap);
                    return l;
                });
        http = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        http.createContext("/debug/", ex -> {
            String view = ex.getRequestURI().getPath().substring("/debug/".length());
            byte[] body;
            int status = 200;
            try {
                body = views.json(view).getBytes(StandardCharsets.UTF_8);
            } catch (NoSuchElementException e) {
                status = 404;
                body = "\"no such view\"".getBytes(StandardCharsets.UTF_8);
            }
            ex.sendResponseHeaders(status, body.length);
            ex.getResponseBody().write(body);
            ex.close();
        });
        http.start();
        port = http.getAddress().getPort();
    }

    @AfterEach
    void stop() {
        http.stop(0);
    }

    private record Run(int code, String out, String err) {}

    private Run cli(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        List<String> a = new java.util.ArrayList<>(List.of(args));
        a.add("--port");
        a.add(String.valueOf(port));
        int code = DebugCli.run(a, new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
        return new Run(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    @Test
    void announcementsTable() {
        Run r = cli("announcements");
        assertThat(r.code()).isZero();
        assertThat(r.out().lines().toList()).containsExactly(
                "IP             INTERFACE   SERVICES      LEASE                           SINCE",
                "192.0.2.10     eth0        default/web   cilium-l2announce-default-web   2026-01-01T00:00:00Z",
                "2001:db8::10   eth0        default/web   cilium-l2announce-default-web   2026-01-01T00:00:00Z");
    }

    @Test
    void announcementsJson() {
        Run r = cli("announcements", "-o", "json");
        assertThat(r.code()).isZero();
        assertThat(r.out()).contains("\"ip\" : \"192.0.2.10\"", "\"lease\" : \"cilium-l2announce-default-web\"");
    }

    @Test
    void respondersShowCountersAndInterfaceNames() {
        Run r = cli("responders");
        assertThat(r.out().lines().toList()).as("both maps, IPv4 first").containsExactly(
                "IP             IFINDEX   INTERFACE   MAP               RESPONSES_SENT",
                "192.0.2.10     2         eth0        l2_responder_v4   42",
                "2001:db8::10   2         eth0        l2_responder_v6   7");
    }

    @Test
    void devicesShowSelectionAndFlags() {
        Run r = cli("devices");
        assertThat(r.out().lines().toList()).containsExactly(
                "NAME   IFINDEX   SELECTED   MAC                 FLAGS         OPERSTATE   KIND   ANNOUNCING",
                "lo     1         false                          UP,LOOPBACK   unknown            0",
                "eth0   2         true       02:00:5e:00:00:01   UP            up          veth   2");
    }

    @Test
    void configLeasesAndDoctor() {
        assertThat(cli("config").out()).contains("EnableL2Announcements", "enable-l2-announcements", "KubeProxyReplacement",
                "L2AnnouncerLeaseDuration", "PT15S");
        assertThat(cli("leases").out()).contains("cilium-l2announce-default-web", "held", "node-a");
        Run doctor = cli("doctor");
        assertThat(doctor.code()).isEqualTo(3); // a FAIL finding makes scripts notice
        assertThat(doctor.out()).contains("datapath.duplicate-map", "FAIL", "bpftool map show name l2_responder_v4",
                "config.lease-timings", "OK");
    }

    @Test
    void usageErrorsAndUnreachableAgent() {
        assertThat(cli("nosuchview").code()).isEqualTo(2);
        assertThat(cli().code()).isEqualTo(2);
        http.stop(0);
        Run r = cli("announcements");
        assertThat(r.code()).isEqualTo(1);
        assertThat(r.err()).contains("cannot reach the agent");
    }
}
