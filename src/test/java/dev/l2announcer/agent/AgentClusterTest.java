package dev.l2announcer.agent;

import dev.l2announcer.config.AgentConfig;
import dev.l2announcer.config.LeaseTimings;
import dev.l2announcer.election.KubernetesLeaseStore;
import dev.l2announcer.election.LeaseElectionEngine;
import dev.l2announcer.policy.CiliumL2AnnouncementPolicy;
import dev.l2announcer.policy.L2AnnouncementPolicySpec;
import dev.l2announcer.selection.KubernetesSelectionSource;
import dev.l2announcer.selection.RecomputeDebouncer;
import dev.l2announcer.testing.MockApi;
import dev.l2announcer.time.Ticker;
import io.fabric8.kubernetes.api.model.LabelSelectorBuilder;
import io.fabric8.kubernetes.api.model.LoadBalancerIngressBuilder;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointBuilder;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSliceBuilder;
import io.fabric8.kubernetes.api.model.events.v1.Event;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Several in-process agents (own node name, own client, own fake datapath) against one fabric8
 * CRUD mock server, wired by {@link AgentRuntime} with the real selection stage, the real lease
 * election engine and the real responder reconciler over the datapath's in-memory map/program/links/GARP.
 */
class AgentClusterTest {
    private static final Duration CONVERGE = Duration.ofSeconds(15);
    private static final List<String> NODES = List.of("node-a", "node-b", "node-c");

    private KubernetesMockServer server;
    private KubernetesClient admin;
    /** Short timings so takeovers after a release happen within a test's patience. */
    private static final LeaseTimings TIMINGS =
            new LeaseTimings(Duration.ofSeconds(3), Duration.ofSeconds(2), Duration.ofMillis(500));
    private final Map<String, Node> agents = new TreeMap<>();

    /** One agent and its fakes. */
    private static final class Node {
        KubernetesClient client;
        ScheduledExecutorService selectionThread;
        KubernetesSelectionSource selection;
        InMemoryNodeDatapath datapath;
        LeaseElectionEngine election;
        AgentRuntime runtime;

        List<String> ips() {
            return datapath.map.list().keySet().stream().map(e -> dev.l2announcer.datapath.Addresses.format(e.ip())).sorted().toList();
        }
    }

    @BeforeEach
    void setUp() {
        server = MockApi.start();
        admin = server.createClient();
        for (String n : NODES) {
            admin.nodes().resource(new NodeBuilder().withNewMetadata().withName(n).addToLabels("zone", "one").endMetadata()
                    .withNewStatus().addNewCondition().withType("Ready").withStatus("True").endCondition().endStatus()
                    .build()).create();
        }
        int mac = 1;
        for (String n : NODES) {
            agents.put(n, start(n, mac++));
        }
    }

    private Node start(String name, int macByte) {
        Node node = new Node();
        node.client = server.createClient();
        node.datapath = new InMemoryNodeDatapath(macByte);
        AgentConfig config = AgentConfig.defaults(name);
        node.selectionThread = Executors.newSingleThreadScheduledExecutor(r -> new Thread(r, "selection-" + name));
        node.selection = KubernetesSelectionSource.fromConfig(node.client, node.datapath.devices(), config,
                RecomputeDebouncer.Scheduler.of(node.selectionThread), Duration.ofMillis(20));
        node.election = KubernetesLeaseStore.startElection(node.client, config.leaseNamespace(), name, TIMINGS,
                new SimpleMeterRegistry(), lease -> Map.of());
        node.runtime = new AgentRuntime(new AgentRuntime.Parts(config, node.client, node.selection, node.election,
                node.datapath.responderMap(), node.datapath.devices(), node.datapath::gratuitousArp, node.datapath::sink,
                node.datapath.status(), new SimpleMeterRegistry(), Clock.systemUTC(), Ticker.system(), node.selection::synced,
                () -> 0,
                () -> {
                    node.election.close();
                    node.datapath.close();
                    node.selection.close();
                    node.selectionThread.shutdownNow();
                },
                node.selection::start));
        node.runtime.start();
        return node;
    }

    @AfterEach
    void tearDown() {
        agents.values().forEach(n -> {
            n.runtime.stop(Duration.ofSeconds(2));
            n.client.close();
        });
        admin.close();
        server.destroy();
    }

    // ---- cluster objects --------------------------------------------------------------------

    private void policy(String name, Map<String, String> nodeLabels) {
        var p = new CiliumL2AnnouncementPolicy();
        p.setMetadata(new ObjectMetaBuilder().withName(name).build());
        var s = new L2AnnouncementPolicySpec();
        s.setLoadBalancerIPs(true);
        s.setExternalIPs(true);
        if (nodeLabels != null) {
            s.setNodeSelector(new LabelSelectorBuilder().withMatchLabels(nodeLabels).build());
        }
        p.setSpec(s);
        admin.resources(CiliumL2AnnouncementPolicy.class).resource(p).create();
    }

    private void service(String name, String ip, String trafficPolicy) {
        service(name, trafficPolicy, List.of(ip));
    }

    /** One ingress IP per address; two of different families make a dual-stack Service (ipFamilies set alike). */
    private void service(String name, String trafficPolicy, List<String> ips) {
        List<String> families = ips.stream().map(ip -> ip.contains(":") ? "IPv6" : "IPv4").distinct().toList();
        Service svc = new ServiceBuilder()
                .withNewMetadata().withNamespace("default").withName(name).endMetadata()
                .withNewSpec().withType("LoadBalancer").withExternalTrafficPolicy(trafficPolicy)
                .withIpFamilies(families).withIpFamilyPolicy(families.size() > 1 ? "RequireDualStack" : "SingleStack")
                .addNewPort().withPort(80).endPort().endSpec()
                .withNewStatus().withNewLoadBalancer()
                .addAllToIngress(ips.stream().map(ip -> new LoadBalancerIngressBuilder().withIp(ip).build()).toList())
                .endLoadBalancer().endStatus()
                .build();
        admin.services().resource(svc).create();
    }

    private static EndpointSlice slice(String svc, String node) {
        return new EndpointSliceBuilder().withNewMetadata().withNamespace("default").withName(svc + "-abc")
                .addToLabels("kubernetes.io/service-name", svc).endMetadata()
                .withAddressType("IPv4")
                .addToEndpoints(new EndpointBuilder().withAddresses("10.0.0.7").withNodeName(node)
                        .withNewConditions().withReady(true).endConditions().build())
                .build();
    }

    /** Which node answers each IP; fails if two nodes answer the same IP. */
    private Map<String, String> answering() {
        Map<String, String> out = new TreeMap<>();
        agents.forEach((name, n) -> n.ips().forEach(ip -> {
            String before = out.put(ip, name);
            assertThat(before).as("IP %s answered by %s and %s", ip, before, name).isNull();
        }));
        return out;
    }

    private List<Event> events(String reason) {
        return admin.resources(Event.class).inNamespace("default").list().getItems().stream()
                .filter(e -> e.getReason().equals(reason)).toList();
    }

    // ---- tests ------------------------------------------------------------------------------------

    @Test
    void eachIpIsInstalledByExactlyOneAgentAndAnEventIsRecorded() {
        policy("all", null);
        service("web", "192.0.2.10", "Cluster");
        service("db", "192.0.2.11", "Cluster");
        await().atMost(CONVERGE).until(() -> answering().keySet().equals(java.util.Set.of("192.0.2.10", "192.0.2.11")));
        Map<String, String> who = answering();
        for (var e : who.entrySet()) {
            Node holder = agents.get(e.getValue());
            // The map entry is visible before the burst's first GARP goes out (same pass, right after the sync).
            await().atMost(CONVERGE).untilAsserted(() -> assertThat(holder.datapath.garp.sent())
                    .anySatisfy(s -> assertThat(s.ip().getHostAddress()).isEqualTo(e.getKey())));
            assertThat(holder.runtime.loop().table().rows()).anySatisfy(r ->
                    assertThat(r.ip().getHostAddress()).isEqualTo(e.getKey()));
        }
        // The API's Lease holders are the nodes that answer.
        assertThat(admin.leases().inNamespace("kube-system").withName("cilium-l2announce-default-web").get()
                .getSpec().getHolderIdentity()).isEqualTo(who.get("192.0.2.10"));
        assertThat(admin.leases().inNamespace("kube-system").withName("cilium-l2announce-default-db").get()
                .getSpec().getHolderIdentity()).isEqualTo(who.get("192.0.2.11"));
        await().atMost(CONVERGE).until(() -> events("L2Announced").size() >= 2);
        assertThat(events("L2Announced")).extracting(ev -> ev.getRegarding().getName() + ": " + ev.getNote())
                .contains("web: announcing 192.0.2.10 from node " + who.get("192.0.2.10") + " on eth0",
                        "db: announcing 192.0.2.11 from node " + who.get("192.0.2.11") + " on eth0");
    }

    @Test
    void nodeThatStopsMatchingWithdrawsAndAnotherTakesOver() {
        policy("zone-one", Map.of("zone", "one"));
        service("web", "192.0.2.10", "Cluster");
        await().atMost(CONVERGE).until(() -> answering().containsKey("192.0.2.10"));
        String first = answering().get("192.0.2.10");
        admin.nodes().withName(first).edit(n -> new NodeBuilder(n).editMetadata().addToLabels("zone", "two").endMetadata().build());
        await().atMost(CONVERGE).until(() -> {
            String now = answering().get("192.0.2.10");
            return now != null && !now.equals(first);
        });
        assertThat(agents.get(first).ips()).isEmpty();
        assertThat(agents.get(first).runtime.loop().table().rows()).isEmpty();
    }

    @Test
    void deletingThePolicyRemovesEveryEntry() {
        policy("all", null);
        service("web", "192.0.2.10", "Cluster");
        service("db", "192.0.2.11", "Cluster");
        await().atMost(CONVERGE).until(() -> answering().size() == 2);
        admin.resources(CiliumL2AnnouncementPolicy.class).withName("all").delete();
        await().atMost(CONVERGE).until(() -> answering().isEmpty());
        agents.values().forEach(n -> assertThat(n.runtime.loop().table().rows()).isEmpty());
        await().atMost(CONVERGE).until(() -> agents.values().stream().allMatch(n -> n.datapath.program.attachedInterfaces().isEmpty()));
        await().atMost(CONVERGE).until(() -> agents.values().stream().allMatch(n -> n.election.held().isEmpty()));
    }

    @Test
    void localTrafficPolicyServiceFollowsItsEndpoints() {
        policy("all", null);
        service("local", "192.0.2.20", "Local");
        admin.discovery().v1().endpointSlices().resource(slice("local", "node-b")).create();
        await().atMost(CONVERGE).until(() -> "node-b".equals(answering().get("192.0.2.20")));
        admin.discovery().v1().endpointSlices().resource(slice("local", "node-c")).update();
        await().atMost(CONVERGE).until(() -> "node-c".equals(answering().get("192.0.2.20")));
        admin.discovery().v1().endpointSlices().inNamespace("default").withName("local-abc").delete();
        await().atMost(CONVERGE).until(() -> answering().isEmpty());
    }

    @Test
    void gracefulStopOfTheHolderHandsOver() {
        policy("all", null);
        service("web", "192.0.2.10", "Cluster");
        await().atMost(CONVERGE).until(() -> answering().containsKey("192.0.2.10"));
        String first = answering().get("192.0.2.10");
        assertThat(agents.get(first).datapath.program.attachedInterfaces()).containsExactly("eth0");
        agents.get(first).runtime.stop(Duration.ofSeconds(2));
        // Withdrawn before the lease was released, and the program detached from what it had attached.
        assertThat(agents.get(first).ips()).isEmpty();
        assertThat(agents.get(first).datapath.program.attachedInterfaces()).isEmpty();
        await().atMost(CONVERGE).until(() -> {
            String now = answering().get("192.0.2.10");
            return now != null && !now.equals(first);
        });
    }

    @Test
    void aDualStackServiceIsAnsweredInBothFamiliesByTheLeaseHolderAndBothMoveTogether() {
        policy("all", null);
        service("web", "Cluster", List.of("192.0.2.10", "2001:db8::10"));
        await().atMost(CONVERGE).until(() -> answering().keySet().equals(java.util.Set.of("192.0.2.10", "2001:db8::10")));
        String first = answering().get("192.0.2.10");
        assertThat(answering()).as("one holder for both families").containsEntry("2001:db8::10", first);
        assertThat(admin.leases().inNamespace("kube-system").withName("cilium-l2announce-default-web").get()
                .getSpec().getHolderIdentity()).isEqualTo(first);
        Node holder = agents.get(first);
        await().atMost(CONVERGE).untilAsserted(() -> assertThat(holder.datapath.garp.sent())
                .extracting(s -> dev.l2announcer.datapath.Addresses.format(s.ip()))
                .as("a GARP and an unsolicited NA").contains("192.0.2.10", "2001:db8::10"));
        assertThat(holder.datapath.garp.listening()).extracting(e -> dev.l2announcer.datapath.Addresses.format(e.ip()))
                .as("the solicited-node group of the IPv6 address is joined").containsExactly("2001:db8::10");
        await().atMost(CONVERGE).until(() -> !events("L2Announced").isEmpty());
        assertThat(events("L2Announced")).extracting(Event::getNote)
                .contains("announcing 192.0.2.10, 2001:db8::10 from node " + first + " on eth0");

        holder.runtime.stop(Duration.ofSeconds(2));
        assertThat(holder.ips()).isEmpty();
        assertThat(holder.datapath.garp.listening()).as("groups left on withdrawal").isEmpty();
        await().atMost(CONVERGE).until(() -> {
            Map<String, String> now = answering();
            return now.size() == 2 && !now.containsValue(first);
        });
        assertThat(java.util.Set.copyOf(answering().values())).as("the successor answers both").hasSize(1);
    }

    @Test
    void aServiceSharingTheDualStackServicesIpv6AddressIsAnsweredByTheSameHolder() {
        policy("all", null);
        service("web", "Cluster", List.of("192.0.2.10", "2001:db8::10"));
        service("web-udp", "Cluster", List.of("2001:db8::10"));
        await().atMost(CONVERGE).until(() -> answering().keySet().equals(java.util.Set.of("192.0.2.10", "2001:db8::10")));
        assertThat(java.util.Set.copyOf(answering().values())).hasSize(1);
        assertThat(admin.leases().inNamespace("kube-system").list().getItems()).extracting(l -> l.getMetadata().getName())
                .as("one election for the group").containsExactly("cilium-l2announce-default-web");
    }
}
