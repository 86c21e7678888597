package dev.l2announcer.health;

import dev.l2announcer.datapath.Device;
import dev.l2announcer.datapath.MacAddress;
import dev.l2announcer.selection.AddressOnInterfaces;
import dev.l2announcer.selection.AnnouncementGroup;
import dev.l2announcer.selection.SelectionSnapshot;
import dev.l2announcer.selection.ServiceRef;
import dev.l2announcer.time.ManualTime;
import org.junit.jupiter.api.Test;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicReference;

import static org.assertj.core.api.Assertions.assertThat;

/** The monitor's bookkeeping with an in-memory ARP segment (who answers which IP) and no node probes. */
class HealthMonitorTest {
    static final MacAddress N1 = MacAddress.parse("02:00:5e:00:02:01");
    static final MacAddress N3 = MacAddress.parse("02:00:5e:00:02:03");
    static final Device ETH0 = new Device(2, "eth0", MacAddress.parse("02:00:5e:00:02:02"), true, false, "up", "veth", 0);
    static final Device ETH1 = new Device(3, "eth1", MacAddress.parse("02:00:5e:00:03:02"), true, false, "up", "veth", 0);
    static final Device DOWN = new Device(4, "eth2", MacAddress.parse("02:00:5e:00:04:02"), false, false, "down", "veth", 0);

    final ManualTime time = new ManualTime();
    final Map<InetAddress, List<MacAddress>> segment = new ConcurrentHashMap<>();
    final List<String> transportCalls = new ArrayList<>();
    final AtomicReference<SelectionSnapshot> selection = new AtomicReference<>();
    final Map<String, ObservedLease> leases = new ConcurrentHashMap<>();

    final ProbeTransport transport = (via, ips, window) -> {
        transportCalls.add(via.name() + ips);
        Map<InetAddress, List<ProbeReply>> out = new TreeMap<>((a, b) -> a.getHostAddress().compareTo(b.getHostAddress()));
        for (InetAddress ip : ips) {
            out.put(ip, segment.getOrDefault(ip, List.of()).stream().map(m -> new ProbeReply(m, Duration.ofNanos(100_000))).toList());
        }
        return out;
    };

    static Inet4Address ip(String s) throws Exception {
        return (Inet4Address) InetAddress.getByName(s);
    }

    static AnnouncementGroup group(String svc, String ip, List<String> interfaces) throws Exception {
        return new AnnouncementGroup("cilium-l2announce-default-" + svc, List.of(new ServiceRef("default", svc)),
                List.of(new AddressOnInterfaces(InetAddress.getByName(ip), interfaces)), new TreeSet<>(List.of("n1", "n2", "n3")), true);
    }

    void select(AnnouncementGroup... groups) {
        TreeMap<String, AnnouncementGroup> m = new TreeMap<>();
        for (AnnouncementGroup g : groups) {
            m.put(g.leaseName(), g);
        }
        selection.set(new SelectionSnapshot(1, m));
    }

    void hold(String svc, String holder, MacAddress mac) {
        String lease = "cilium-l2announce-default-" + svc;
        leases.put(lease, ObservedLease.of(lease, holder, Map.of(AnnouncedOnAnnotation.KEY, "eth0=" + mac)));
    }

    HealthMonitor monitor(int maxPerSecond) {
        var sources = new HealthMonitor.Sources(selection::get, () -> Map.copyOf(leases), () -> List.of(ETH0, ETH1, DOWN), List::of);
        var prober = new VipProber(transport, Duration.ofMillis(200), time.wallClock(), null, null);
        var nodeProber = new NodeProber(1, Duration.ofMillis(1), time, time.wallClock());
        return new HealthMonitor("n2", sources, prober, nodeProber, null, time, Duration.ofSeconds(60), maxPerSecond);
    }

    @Test
    void probesOnlyIpsHeldByOthersOnTheirSelectedUsableInterfacesBatchedPerInterface() throws Exception {
        select(group("web", "192.0.2.10", List.of("eth0", "eth1", "eth2")), group("db", "192.0.2.20", List.of("eth0")),
                group("mine", "192.0.2.30", List.of("eth0")), group("free", "192.0.2.40", List.of("eth0")),
                group("v6", "2001:db8::1", List.of("eth0")));
        hold("web", "n1", N1);
        hold("db", "n3", N3);
        hold("mine", "n2", ETH0.mac());
        hold("v6", "n1", N1);
        segment.put(ip("192.0.2.10"), List.of(N1));
        segment.put(ip("192.0.2.20"), List.of(N3));
        segment.put(InetAddress.getByName("2001:db8::1"), List.of(N1));
        try (var m = monitor(10)) {
            HealthReport r = m.probeNow();
            // eth2 is down; 192.0.2.30 is ours, .40 has no holder; IPv6 is probed like IPv4 (over NDP).
            assertThat(transportCalls).containsExactlyInAnyOrder("eth0[/192.0.2.20, /2001:db8:0:0:0:0:0:1, /192.0.2.10]",
                    "eth1[/192.0.2.10]");
            assertThat(r.vips()).extracting(v -> dev.l2announcer.datapath.Addresses.format(v.ip()) + "@" + v.holder())
                    .containsExactly("192.0.2.10@n1", "192.0.2.20@n3", "2001:db8::1@n1");
            assertThat(r.vips()).flatExtracting(HealthReport.VipStatus::probes).extracting(VipProbeResult::outcome)
                    .containsOnly(ProbeOutcome.OK).hasSize(4);
        }
    }

    @Test
    void aFailoverMidRoundIsJudgedAgainstTheNewHolder() throws Exception {
        select(group("web", "192.0.2.10", List.of("eth0")), group("db", "192.0.2.20", List.of("eth0")));
        hold("web", "n1", N1);
        hold("db", "n1", N1);
        segment.put(ip("192.0.2.10"), List.of(N1));
        segment.put(ip("192.0.2.20"), List.of(N1));
        try (var m = monitor(10)) {
            m.runDue(); // round of two targets, 30 s apart: the first (db, by lease name order) now
            assertThat(transportCalls).containsExactly("eth0[/192.0.2.20]");
            // web fails over to n3 before its slot: n3 answers and published its MAC.
            hold("web", "n3", N3);
            segment.put(ip("192.0.2.10"), List.of(N3));
            time.advance(Duration.ofSeconds(30));
            m.runDue();
            VipProbeResult web = m.report().vips().stream().filter(v -> v.holder().equals("n3")).findFirst().orElseThrow()
                    .probes().getFirst();
            assertThat(web.outcome()).isEqualTo(ProbeOutcome.OK);
            assertThat(web.target().holderMacs()).containsExactly(N3);
        }
    }

    @Test
    void resultsOfIpsThatMovedToUsOrWentAwayLeaveTheReport() throws Exception {
        select(group("web", "192.0.2.10", List.of("eth0")), group("db", "192.0.2.20", List.of("eth0")));
        hold("web", "n1", N1);
        hold("db", "n1", N1);
        try (var m = monitor(10)) {
            assertThat(m.probeNow().vips()).hasSize(2);
            assertThat(m.report().vips()).extracting(v -> v.probes().getFirst().outcome()).containsOnly(ProbeOutcome.NO_ANSWER);
            hold("web", "n2", ETH0.mac()); // we hold it now: we do not probe our own IP
            select(group("web", "192.0.2.10", List.of("eth0"))); // db's Service is gone
            assertThat(m.report().vips()).isEmpty();
        }
    }

    @Test
    void onDemandProbesAreCappedPerSecondInBatches() throws Exception {
        List<AnnouncementGroup> groups = new ArrayList<>();
        for (int i = 1; i <= 3; i++) {
            groups.add(group("s" + i, "192.0.2." + i, List.of("eth0")));
            hold("s" + i, "n1", N1);
        }
        select(groups.toArray(AnnouncementGroup[]::new));
        try (var m = monitor(2)) {
            m.probeNow();
            assertThat(transportCalls).hasSize(2);
            assertThat(transportCalls.get(0)).contains("192.0.2.1", "192.0.2.2");
            assertThat(transportCalls.get(1)).isEqualTo("eth0[/192.0.2.3]");
        }
    }
}
