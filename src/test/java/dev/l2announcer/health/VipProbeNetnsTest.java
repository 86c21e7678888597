package dev.l2announcer.health;

import dev.l2announcer.demo.HostCommand;
import dev.l2announcer.demo.Netns;
import dev.l2announcer.datapath.Device;
import dev.l2announcer.datapath.MacAddress;
import dev.l2announcer.datapath.ResponderEntry;
import dev.l2announcer.datapath.linux.BpfDatapath;
import dev.l2announcer.datapath.linux.BpfLoader;
import dev.l2announcer.datapath.linux.NetlinkDevices;
import dev.l2announcer.selection.AddressOnInterfaces;
import dev.l2announcer.selection.AnnouncementGroup;
import dev.l2announcer.selection.SelectionSnapshot;
import dev.l2announcer.selection.ServiceRef;
import dev.l2announcer.testing.MockApi;
import dev.l2announcer.time.ManualTime;
import dev.l2announcer.time.Ticker;
import dev.l2announcer.config.AgentConfig;
import dev.l2announcer.observability.EventRateLimiter;
import dev.l2announcer.observability.ServiceEventRecorder;
import dev.l2announcer.selection.SelectionSource;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.api.model.coordination.v1.LeaseBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.micrometer.prometheus.PrometheusConfig;
import io.micrometer.prometheus.PrometheusMeterRegistry;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Real ARP between network namespaces: three "nodes" and a client on one bridge (in a namespace of
 * its own), the real XDP responder loaded in the holder, probes from the other two.
 */
class VipProbeNetnsTest {
    static final String LEASE = "cilium-l2announce-default-web";
    static final ServiceRef WEB = new ServiceRef("default", "web");
    static final int HEALTH_PORT = 9890;

    static String prefix;
    static Netns bridge, client;
    static final Map<Integer, Netns> nodes = new HashMap<>();
    static final Map<Integer, MacAddress> macs = new HashMap<>();
    static final Map<Integer, Integer> ifindexes = new HashMap<>();
    static final Map<Integer, Responder> responders = new HashMap<>();
    static final Map<Integer, NodeHealthEndpoint> endpoints = new HashMap<>();
    static Inet4Address vip;
    /** The IPv6 address of the same Service (dual-stack): probed over NDP. */
    static final java.net.Inet6Address VIP6 = (java.net.Inet6Address) InetAddress.ofLiteral("2001:db8::10");

    /** A node's responder: the datapath's own BpfDatapath with its own pin dir, as each agent has. */
    record Responder(BpfDatapath datapath, Path pinDir) {}

    @BeforeAll
    static void topology() throws Exception {
        Assumptions.assumeTrue(HostCommand.isRoot(), () -> {
            System.out.println("SKIP VipProbeNetnsTest: needs root (netns, XDP, AF_PACKET)");
            return "needs root";
        });
        Assumptions.assumeTrue(VipProbeNetnsTest.class.getResource(BpfLoader.RESOURCE) != null, () -> {
            System.out.println("SKIP VipProbeNetnsTest: " + BpfLoader.RESOURCE + " not built (clang missing)");
            return "no bpf object";
        });
        vip = (Inet4Address) InetAddress.getByName("192.0.2.10");
        prefix = "l2a-hl-" + HexFormat.of().toHexDigits((short) ProcessHandle.current().pid());
        try {
            bridge = Netns.create(prefix + "-br");
            bridge.ip("link", "add", "br0", "type", "bridge", "stp_state", "0", "forward_delay", "0", "mcast_snooping", "0");
            bridge.ip("link", "set", "br0", "up");
            for (int i = 1; i <= 4; i++) {
                Netns ns = Netns.create(prefix + (i == 4 ? "-c" : "-n" + i));
                int host = i == 4 ? 100 : i;
                bridge.ip("link", "add", "p" + i, "type", "veth", "peer", "name", "eth0", "netns", ns.name());
                bridge.ip("link", "set", "p" + i, "master", "br0", "up");
                String mac = "02:00:5e:00:02:%02x".formatted(host);
                ns.ip("link", "set", "eth0", "address", mac);
                HostCommand.ok("ip", "netns", "exec", ns.name(), "sysctl", "-qw", "net.ipv6.conf.all.disable_ipv6=0");
                ns.ip("addr", "add", "192.0.2." + host + "/24", "dev", "eth0");
                ns.ip("link", "set", "eth0", "up");
                ns.ip("link", "set", "lo", "up");
                if (i == 4) {
                    client = ns;
                    continue;
                }
                nodes.put(i, ns);
                macs.put(i, MacAddress.parse(mac));
                ifindexes.put(i, ns.run(() -> eth0(new NetlinkDevices().list()).ifindex()));
                final int n = i;
                endpoints.put(i, ns.run(() -> NodeHealthEndpoint.start(new InetSocketAddress("192.0.2." + n, HEALTH_PORT), "n" + n)));
            }
        } catch (Exception | Error e) {
            teardown();
            throw e;
        }
    }

    static Device eth0(List<Device> devices) {
        return devices.stream().filter(d -> d.name().equals("eth0")).findFirst().orElseThrow();
    }

    /** Loads the real responder in node {@code n}, attached to its eth0 (veth: generic XDP), agent "alive". */
    static Responder responder(int n) throws Exception {
        Responder r = responders.get(n);
        if (r != null) {
            return r;
        }
        Path pinDir = Path.of("/sys/fs/bpf/" + prefix + "-n" + n);
        BpfDatapath dp = BpfDatapath.open(pinDir, Duration.ofHours(1));
        r = new Responder(dp, pinDir);
        responders.put(n, r);
        nodes.get(n).run(() -> {
            dp.attach(eth0(new NetlinkDevices().list()));
            return null;
        });
        dp.refreshLiveness();
        return r;
    }

    /** Node {@code n} answers (or stops answering) for both addresses of the Service. */
    static void answers(int n, boolean on) throws Exception {
        if (on) {
            responder(n).datapath().responderMap().put(new ResponderEntry(vip, ifindexes.get(n)));
            responder(n).datapath().responderMap().put(new ResponderEntry(VIP6, ifindexes.get(n)));
        } else if (responders.containsKey(n)) {
            responders.get(n).datapath().responderMap().sync(java.util.Set.of());
        }
    }

    @AfterAll
    static void teardown() {
        for (Responder r : responders.values()) {
            try {
                r.datapath().destroyPins();
                r.datapath().close();
            } catch (RuntimeException e) {
                System.err.println("cleanup: " + e);
            }
            try (Stream<Path> s = Files.walk(r.pinDir())) {
                s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            } catch (Exception e) {
                System.err.println("cleanup: " + e);
            }
        }
        responders.clear();
        endpoints.values().forEach(NodeHealthEndpoint::close);
        endpoints.clear();
        nodes.values().forEach(Netns::close);
        nodes.clear();
        if (client != null) {
            client.close();
        }
        if (bridge != null) {
            bridge.close();
        }
    }

    @BeforeEach
    void holderAnswersAlone() throws Exception {
        answers(1, true);
        answers(3, false);
    }

    // ---- inputs as the agent sees them -------------------------------------------------------

    static SelectionSnapshot snapshot() {
        return snapshot(vip);
    }

    static SelectionSnapshot snapshot(InetAddress ip) {
        var group = new AnnouncementGroup(LEASE, List.of(WEB), List.of(new AddressOnInterfaces(ip, List.of("eth0"))),
                new TreeSet<>(List.of("n1", "n2", "n3")), true);
        return new SelectionSnapshot(1, new TreeMap<>(Map.of(LEASE, group)));
    }

    /** The Lease as n1 wrote it: holder n1, its eth0 MAC published through the hook's codec. */
    static Map<String, ObservedLease> leases() {
        return Map.of(LEASE, ObservedLease.of(LEASE, "n1",
                Map.of(AnnouncedOnAnnotation.KEY, AnnouncedOnAnnotation.encode(Map.of("eth0", macs.get(1))))));
    }

    static List<VipProbeResult> probeFrom(int n, VipProber prober) throws Exception {
        return probeFrom(n, prober, vip);
    }

    static List<VipProbeResult> probeFrom(int n, VipProber prober, InetAddress ip) throws Exception {
        return nodes.get(n).run(() -> {
            List<VipTarget> targets = VipTargets.compute(snapshot(ip), leases(), new NetlinkDevices().list(), "n" + n);
            return prober.probe(targets, VipTargets.macOwners(leases()));
        });
    }

    static VipProber prober() {
        return new VipProber(DualStackProbes.packetSockets(), Duration.ofMillis(300), Clock.systemUTC(), null, null);
    }

    static VipProbeResult single(List<VipProbeResult> rs) {
        assertThat(rs).hasSize(1);
        return rs.getFirst();
    }

    // ---- tests --------------------------------------------------------------------------------

    @Test
    void holderIsOkWithRttFromBothNonHolders() throws Exception {
        for (int n : List.of(2, 3)) {
            VipProbeResult r = single(probeFrom(n, prober()));
            assertThat(r.outcome()).as("from n" + n).isEqualTo(ProbeOutcome.OK);
            assertThat(r.target().via().name()).isEqualTo("eth0");
            assertThat(r.rtt()).isPositive().isLessThan(Duration.ofMillis(300));
            assertThat(r.responders()).singleElement().satisfies(x -> {
                assertThat(x.mac()).isEqualTo(macs.get(1));
                assertThat(x.owner()).isEqualTo("n1");
            });
            System.out.println("n" + n + " -> 192.0.2.10 via eth0: OK RTT=" + HealthReportFormat.goDuration(r.rtt()));
        }
        // The holder itself does not probe its own IP.
        assertThat(nodes.get(1).run(() -> VipTargets.compute(snapshot(), leases(), new NetlinkDevices().list(), "n1"))).isEmpty();
    }

    @Test
    void responderAnswersRfc5227ProbesUnicastWithoutTeachingTheHolderAnything() throws Exception {
        HostCommand.ok("ip", "-n", nodes.get(1).name(), "neigh", "flush", "all");
        assertThat(single(probeFrom(2, prober())).outcome()).isEqualTo(ProbeOutcome.OK);
        // A probe's sender IP is 0.0.0.0: the holder's kernel must not have learnt n2 from it.
        assertThat(HostCommand.ok("ip", "-n", nodes.get(1).name(), "neigh", "show", "192.0.2.2")).isBlank();
    }

    @Test
    void deletedHolderEntryIsNoAnswer() throws Exception {
        answers(1, false);
        VipProbeResult r = single(probeFrom(2, prober()));
        assertThat(r.outcome()).isEqualTo(ProbeOutcome.NO_ANSWER);
        assertThat(r.responders()).isEmpty();
        assertThat(r.rtt()).isNull();
    }

    @Test
    void secondResponderIsSplitBrainNamingBothMacs() throws Exception {
        answers(3, true);
        VipProbeResult r = single(probeFrom(2, prober()));
        assertThat(r.outcome()).isEqualTo(ProbeOutcome.SPLIT_BRAIN);
        assertThat(r.responders()).extracting(VipProbeResult.Responder::mac)
                .containsExactlyInAnyOrder(macs.get(1), macs.get(3));
        assertThat(r.responders()).filteredOn(VipProbeResult.Responder::holder).extracting(VipProbeResult.Responder::mac)
                .containsExactly(macs.get(1));
        System.out.println(HealthReportFormat.text(HealthReport.of("n2", List.of(), List.of(r))));
    }

    @Test
    void foreignResponderAloneIsWrongResponder() throws Exception {
        answers(1, false);
        answers(3, true);
        VipProbeResult r = single(probeFrom(2, prober()));
        assertThat(r.outcome()).isEqualTo(ProbeOutcome.WRONG_RESPONDER);
        assertThat(r.responders()).extracting(VipProbeResult.Responder::mac).containsExactly(macs.get(3));
    }

    @Test
    void monitorReportsNodesAndVipsMetricsAndEventsAndSeesAStoppedEndpoint() throws Exception {
        Netns n2 = nodes.get(2);
        var registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        var metrics = new HealthMetrics(registry);
        List<String> events = new CopyOnWriteArrayList<>();
        var time = new ManualTime();
        var healthEvents = new HealthEvents((svc, reason, msg) -> events.add(svc + " " + reason + ": " + msg),
                time, Duration.ofMinutes(10), "n2");
        var vipProber = new VipProber(DualStackProbes.packetSockets(), Duration.ofMillis(300), Clock.systemUTC(), metrics, healthEvents);
        var nodeProber = new NodeProber(HEALTH_PORT, Duration.ofSeconds(1), Ticker.system(), Clock.systemUTC());
        List<NodeTarget> nodeTargets = new ArrayList<>();
        for (int i = 1; i <= 3; i++) {
            nodeTargets.add(new NodeTarget("n" + i, InetAddress.getByName("192.0.2." + i), i == 2));
        }
        var sources = new HealthMonitor.Sources(VipProbeNetnsTest::snapshot, VipProbeNetnsTest::leases,
                () -> new NetlinkDevices().list(), () -> nodeTargets);
        try (var monitor = new HealthMonitor("n2", sources, vipProber, nodeProber, metrics, time, Duration.ofSeconds(60), 10)) {
            HealthReport all = n2.run(monitor::probeNow);
            assertThat(all.nodes()).extracting(x -> x.target().name() + "=" + x.ok()).containsExactly("n1=true", "n2=true", "n3=true");
            assertThat(all.nodes()).allSatisfy(x -> assertThat(x.rtt()).isPositive());
            assertThat(all.vips()).singleElement().satisfies(v -> {
                assertThat(v.holder()).isEqualTo("n1");
                assertThat(v.probes()).singleElement().extracting(VipProbeResult::outcome).isEqualTo(ProbeOutcome.OK);
            });
            String text = HealthReportFormat.text(all);
            System.out.println(text);
            assertThat(text).contains("  n2 (localhost):\n    Host connectivity to 192.0.2.2:\n      HTTP via L3:     OK, RTT=")
                    .contains("  192.0.2.10 (default/web), lease cilium-l2announce-default-web, holder n1:\n    ARP via eth0:    OK, RTT=");
            System.out.println(HealthReportFormat.json(all));

            // Stop n3's endpoint (as if its agent died): node connectivity shows it down.
            endpoints.remove(3).close();
            answers(1, false);
            HealthReport down = n2.run(monitor::probeNow);
            assertThat(down.nodes()).filteredOn(x -> x.target().name().equals("n3")).singleElement().satisfies(x -> {
                assertThat(x.ok()).isFalse();
                assertThat(x.error()).isEqualTo("connection refused");
            });
            assertThat(down.nodes()).filteredOn(NodeProbeResult::ok).hasSize(2);
            assertThat(down.vips().getFirst().probes().getFirst().outcome()).isEqualTo(ProbeOutcome.NO_ANSWER);
            String downText = HealthReportFormat.text(down);
            System.out.println(downText);
            assertThat(downText).contains("  n3:\n    Host connectivity to 192.0.2.3:\n      HTTP via L3:     connection refused");

            // Periodic path: the first runDue probes slot 0 of each schedule (the VIP and node n1); 11 minutes
            // later the node round's two remaining slots (n2, n3) are due and the VIP's next round starts.
            n2.run(monitor::runDue);
            n2.run(monitor::runDue);
            time.advance(Duration.ofMinutes(11));
            n2.run(monitor::runDue);

            String scrape = registry.scrape();
            assertThat(scrape).contains("l2announcer_vip_probe_seconds_bucket")
                    .contains("l2announcer_vip_probe_seconds_count{family=\"ipv4\",} 1.0")
                    .contains("l2announcer_vip_probe_seconds_count{family=\"ipv6\",} 0.0")
                    .containsPattern("l2announcer_vip_probe_failures_total\\{family=\"ipv4\",reason=\"no-answer\",?\\} 3\\.0")
                    .containsPattern("l2announcer_vip_probe_failures_total\\{family=\"ipv4\",reason=\"split-brain\",?\\} 0\\.0")
                    .containsPattern("l2announcer_vip_probe_failures_total\\{family=\"ipv6\",reason=\"no-answer\",?\\} 0\\.0")
                    .contains("l2announcer_node_probe_seconds_count{node=\"n3\",} 1.0")
                    .contains("l2announcer_node_probe_failures_total{node=\"n3\",} 2.0");
            // Three no-answers, but the Event is rate-limited to one per 10 minutes: the third came 11 min later.
            assertThat(events).hasSize(2).allSatisfy(e -> assertThat(e)
                    .startsWith("default/web L2AnnouncementNoAnswer: no ARP reply for 192.0.2.10 from lease holder n1 (02:00:5e:00:02:01)"));
        } finally {
            if (!endpoints.containsKey(3)) {
                endpoints.put(3, nodes.get(3).run(() -> NodeHealthEndpoint.start(new InetSocketAddress("192.0.2.3", HEALTH_PORT), "n3")));
            }
        }
    }

    @Test
    void agentAssemblyReadsPublishedMacsFromTheApiAndWritesWarningEvents() throws Exception {
        var server = MockApi.start();
        try (KubernetesClient client = server.createClient()) {
            client.services().inNamespace("default").resource(new ServiceBuilder().withNewMetadata().withName("web")
                    .withNamespace("default").endMetadata().build()).create();
            for (int i = 1; i <= 3; i++) {
                client.nodes().resource(new NodeBuilder().withNewMetadata().withName("n" + i).endMetadata().withNewStatus()
                        .addNewAddress().withType("InternalIP").withAddress("192.0.2." + i).endAddress().endStatus().build()).create();
            }
            // n1 holds the lease and publishes its MACs through the hook, as its election engine would on acquire.
            SelectionSource selection = new SelectionSource() {
                public SelectionSnapshot current() { return snapshot(); }
                public AutoCloseable subscribe(java.util.function.Consumer<SelectionSnapshot> l) { return () -> {}; }
            };
            Map<String, String> annotations = nodes.get(1).run(() -> {
                try (var hook = new HolderAnnotations(selection, new NetlinkDevices())) {
                    return hook.apply(LEASE);
                }
            });
            assertThat(annotations).containsEntry(AnnouncedOnAnnotation.KEY, "eth0=" + macs.get(1));
            client.leases().inNamespace("kube-system").resource(new LeaseBuilder().withNewMetadata().withName(LEASE)
                    .withAnnotations(annotations).endMetadata().withNewSpec().withHolderIdentity("n1").endSpec().build()).create();

            AgentConfig config = AgentConfig.defaults("n2");
            var registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
            var recorder = new ServiceEventRecorder(client, "n2", new EventRateLimiter(Ticker.system(), 3, Duration.ofMinutes(1)),
                    Clock.systemUTC());
            try (recorder; var monitor = HealthMonitor.forAgent(config, client, selection, new NetlinkDevices(), registry,
                    recorder::warning, Clock.systemUTC(), Ticker.system())) {
                // Informers fill asynchronously: probe until the Lease and the three Nodes are known.
                HealthReport ok = org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(200))
                        .until(() -> nodes.get(2).run(monitor::probeNow), r -> r.vips().size() == 1 && r.nodes().size() == 3);
                assertThat(ok.vips().getFirst().probes().getFirst().outcome()).isEqualTo(ProbeOutcome.OK);
                assertThat(ok.vips().getFirst().probes().getFirst().responders().getFirst().owner()).isEqualTo("n1");
                assertThat(ok.nodes()).allMatch(NodeProbeResult::ok); // every node's endpoint on debugPort 9890

                answers(1, false);
                assertThat(nodes.get(2).run(monitor::probeNow).vips().getFirst().probes().getFirst().outcome())
                        .isEqualTo(ProbeOutcome.NO_ANSWER);
                org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(10)).untilAsserted(() ->
                        assertThat(client.resources(io.fabric8.kubernetes.api.model.events.v1.Event.class).inNamespace("default")
                                .list().getItems()).singleElement().satisfies(e -> {
                                    assertThat(e.getType()).isEqualTo("Warning");
                                    assertThat(e.getReason()).isEqualTo(HealthEvents.REASON_NO_ANSWER);
                                    assertThat(e.getRegarding().getName()).isEqualTo("web");
                                    assertThat(e.getNote()).contains("no ARP reply for 192.0.2.10 from lease holder n1");
                                }));
            }
        } finally {
            server.destroy();
        }
    }

    // ---- IPv6: the same outcomes over NDP (DAD-form solicitations, answers to all-nodes) ----------

    @Test
    void ipv6HolderIsOkOverNdpFromBothNonHoldersAndNobodyLearnsFromTheProbe() throws Exception {
        for (int n : List.of(2, 3)) {
            HostCommand.ok("ip", "-n", nodes.get(1).name(), "-6", "neigh", "flush", "all");
            VipProbeResult r = single(probeFrom(n, prober(), VIP6));
            assertThat(r.outcome()).as("from n" + n).isEqualTo(ProbeOutcome.OK);
            assertThat(r.target().family()).isEqualTo(dev.l2announcer.datapath.AddressFamily.IPV6);
            assertThat(r.rtt()).isPositive().isLessThan(Duration.ofMillis(300));
            assertThat(r.responders()).singleElement().satisfies(x -> {
                assertThat(x.mac()).isEqualTo(macs.get(1));
                assertThat(x.owner()).isEqualTo("n1");
            });
            // A DAD probe's source is ::: nobody has learnt a neighbour from it.
            assertThat(HostCommand.ok("ip", "-n", nodes.get(1).name(), "-6", "neigh", "show", "2001:db8::10")).isBlank();
            System.out.println("n" + n + " -> 2001:db8::10 via eth0: OK RTT=" + HealthReportFormat.goDuration(r.rtt()));
            assertThat(HealthReportFormat.text(HealthReport.of("n" + n, List.of(), List.of(r))))
                    .contains("  2001:db8::10 (default/web), lease cilium-l2announce-default-web, holder n1:\n    NDP via eth0:    OK, RTT=");
        }
    }

    @Test
    void ipv6NoAnswerSplitBrainAndWrongResponderAreToldApartAsForIpv4() throws Exception {
        answers(1, false);
        assertThat(single(probeFrom(2, prober(), VIP6)).outcome()).as("no entry anywhere").isEqualTo(ProbeOutcome.NO_ANSWER);
        answers(3, true);
        VipProbeResult wrong = single(probeFrom(2, prober(), VIP6));
        assertThat(wrong.outcome()).isEqualTo(ProbeOutcome.WRONG_RESPONDER);
        assertThat(wrong.responders()).extracting(VipProbeResult.Responder::mac).containsExactly(macs.get(3));
        answers(1, true);
        VipProbeResult split = single(probeFrom(2, prober(), VIP6));
        assertThat(split.outcome()).isEqualTo(ProbeOutcome.SPLIT_BRAIN);
        assertThat(split.responders()).extracting(VipProbeResult.Responder::mac).containsExactlyInAnyOrder(macs.get(1), macs.get(3));
    }

    /** Figures, not assertions: RTT of ARP probes answered by the XDP responder across the test bridge. */
    @Test
    @org.junit.jupiter.api.Tag("benchmark")
    void probeRttFigures() throws Exception {
        VipProber prober = new VipProber(DualStackProbes.packetSockets(), Duration.ofMillis(50), Clock.systemUTC(), null, null);
        for (InetAddress ip : List.of(vip, VIP6)) {
            List<Long> rtts = new ArrayList<>();
            for (int i = 0; i < 220; i++) {
                VipProbeResult r = single(probeFrom(2, prober, ip));
                assertThat(r.outcome()).isEqualTo(ProbeOutcome.OK);
                if (i >= 20) { // JIT warm-up
                    rtts.add(r.rtt().toNanos());
                }
            }
            rtts.sort(null);
            System.out.printf("VIP probe RTT (%s) over %d probes (kernel rx timestamp - send): median %s, p90 %s, max %s%n",
                    dev.l2announcer.datapath.AddressFamily.of(ip).protocol(), rtts.size(),
                    HealthReportFormat.goDuration(Duration.ofNanos(rtts.get(rtts.size() / 2))),
                    HealthReportFormat.goDuration(Duration.ofNanos(rtts.get(rtts.size() * 9 / 10))),
                    HealthReportFormat.goDuration(Duration.ofNanos(rtts.getLast())));
        }
    }
}
