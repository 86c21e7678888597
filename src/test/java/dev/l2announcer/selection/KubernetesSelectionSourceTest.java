package dev.l2announcer.selection;

import dev.l2announcer.datapath.fake.FakeDevices;
import dev.l2announcer.policy.CiliumL2AnnouncementPolicy;
import dev.l2announcer.testing.MockApi;
import io.fabric8.kubernetes.api.model.LoadBalancerIngressBuilder;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.fabric8.kubernetes.api.model.coordination.v1.LeaseBuilder;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointBuilder;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSliceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.function.Predicate;

import static dev.l2announcer.selection.Scenario.device;
import static dev.l2announcer.selection.Scenario.down;
import static dev.l2announcer.selection.Scenario.matchLabels;
import static dev.l2announcer.selection.Scenario.serviceSelector;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** The informer-backed source against the fabric8 CRUD mock server: changes converge into snapshots. */
class KubernetesSelectionSourceTest {
    private static final Duration DEBOUNCE = Duration.ofMillis(50);
    private static final Duration CONVERGE = Duration.ofSeconds(10);
    private static final String WEB = "cilium-l2announce-default-web";

    private KubernetesMockServer server;
    private KubernetesClient client;
    private ScheduledExecutorService scheduler;
    private FakeDevices devices;
    private KubernetesSelectionSource source;
    private static final String LEASE_NS = "kube-system";
    private final List<SelectionSnapshot> published = Collections.synchronizedList(new ArrayList<>());
    private final List<SharedIndexInformer<Lease>> leaseInformers = new ArrayList<>();

    @BeforeEach
    void setUp() {
        server = MockApi.start();
        client = server.createClient();
        scheduler = Executors.newSingleThreadScheduledExecutor(r -> new Thread(r, "selection-test"));
        devices = new FakeDevices(List.of(device("eth0", 2)));
        for (String n : List.of("node-a", "node-b")) {
            client.nodes().resource(node(n, Map.of())).create();
        }
    }

    @AfterEach
    void tearDown() {
        if (source != null) {
            source.close();
        }
        leaseInformers.forEach(SharedIndexInformer::close);
        scheduler.shutdownNow();
        client.close();
        server.destroy();
    }

    private void startSource(Duration debounce) {
        source = new KubernetesSelectionSource(client, devices, "node-a", List.of(), true,
                RecomputeDebouncer.Scheduler.of(scheduler), debounce);
        source.subscribe(published::add);
        source.start();
        await().atMost(CONVERGE).until(source::synced);
    }

    static Node node(String name, Map<String, String> labels) {
        return new NodeBuilder().withNewMetadata().withName(name).withLabels(labels).endMetadata()
                .withNewStatus().addNewCondition().withType("Ready").withStatus("True").endCondition().endStatus()
                .build();
    }

    static Service service(String name, Map<String, String> labels, String... ingress) {
        ServiceBuilder b = new ServiceBuilder()
                .withNewMetadata().withNamespace("default").withName(name).withLabels(labels).endMetadata()
                .withNewSpec().withType("LoadBalancer").addNewPort().withPort(80).endPort().endSpec()
                .withNewStatus().withNewLoadBalancer().endLoadBalancer().endStatus();
        for (String ip : ingress) {
            b.editStatus().editLoadBalancer().addToIngress(new LoadBalancerIngressBuilder().withIp(ip).build())
                    .endLoadBalancer().endStatus();
        }
        return b.build();
    }

    static EndpointSlice slice(String svc, String node, boolean ready) {
        return new EndpointSliceBuilder().withNewMetadata().withNamespace("default").withName(svc + "-abc")
                .addToLabels(KubernetesInputs.SERVICE_NAME_LABEL, svc).endMetadata()
                .withAddressType("IPv4")
                .addToEndpoints(new EndpointBuilder().withAddresses("10.0.0.7").withNodeName(node)
                        .withNewConditions().withReady(ready).endConditions().build())
                .build();
    }

    static EndpointSlice slice(String svc, EndpointBuilder... endpoints) {
        EndpointSliceBuilder b = new EndpointSliceBuilder().withNewMetadata().withNamespace("default")
                .withName(svc + "-abc").addToLabels(KubernetesInputs.SERVICE_NAME_LABEL, svc).endMetadata()
                .withAddressType("IPv4");
        for (EndpointBuilder e : endpoints) {
            b.addToEndpoints(e.build());
        }
        return b.build();
    }

    static EndpointBuilder endpoint(String node, boolean ready, boolean serving, boolean terminating) {
        return new EndpointBuilder().withAddresses("10.0.0.7").withNodeName(node).withNewConditions()
                .withReady(ready).withServing(serving).withTerminating(terminating).endConditions();
    }

    private void converges(String what, Predicate<SelectionSnapshot> condition) {
        await(what).atMost(CONVERGE).until(() -> condition.test(source.current()));
    }

    private AnnouncementGroup web() {
        return source.current().groups().get(WEB);
    }

    @Test
    void snapshotFollowsPoliciesServicesEndpointSlicesNodesAndDevices() {
        startSource(DEBOUNCE);
        assertThat(source.current()).isEqualTo(SelectionSnapshot.EMPTY);

        // policy first, then a matching Service with an ingress IP
        var policies = client.resources(CiliumL2AnnouncementPolicy.class);
        policies.resource(Scenario.policyObject("blue", serviceSelector(matchLabels("color", "blue")))).create();
        client.services().resource(service("web", Map.of("color", "blue"), "192.0.2.10")).create();
        converges("service selected", s -> s.groups().containsKey(WEB));
        assertThat(web().candidates()).containsExactly("node-a", "node-b");
        assertThat(web().localCandidate()).isTrue();
        assertThat(web().addresses()).containsExactly(
                new AddressOnInterfaces(Scenario.ip("192.0.2.10"), List.of("eth0")));

        // a Service without an IP yet never gets a group
        client.services().resource(service("pending", Map.of("color", "blue"))).create();
        // a second Service on the same IP joins the group
        client.services().resource(service("web-udp", Map.of("color", "blue"), "192.0.2.10")).create();
        converges("shared IP joins group", s -> web() != null && web().services().size() == 2);
        assertThat(source.current().groups()).hasSize(1);

        // Service label modified: no longer selected
        client.services().inNamespace("default").withName("web-udp")
                .edit(s -> new ServiceBuilder(s).editMetadata().addToLabels("color", "red").endMetadata().build());
        converges("relabelled service leaves", s -> web() != null && web().services().size() == 1);

        // policy modified: nodeSelector zone=one; node labels modified to match
        policies.withName("blue").edit(p -> {
            p.getSpec().setNodeSelector(matchLabels("zone", "one"));
            return p;
        });
        converges("no node in zone one", s -> web() != null && web().candidates().isEmpty());
        assertThat(web().localCandidate()).isFalse();
        client.nodes().withName("node-b").edit(n -> new NodeBuilder(n).editMetadata()
                .addToLabels("zone", "one").endMetadata().build());
        converges("node-b labelled", s -> web() != null && web().candidates().equals(java.util.Set.of("node-b")));
        client.nodes().withName("node-a").edit(n -> new NodeBuilder(n).editMetadata()
                .addToLabels("zone", "one").endMetadata().build());
        converges("node-a labelled", s -> web() != null && web().localCandidate());

        // node exclusion by label
        client.nodes().withName("node-a").edit(n -> new NodeBuilder(n).editMetadata()
                .addToLabels(NodeState.EXCLUDE_LABEL, "").endMetadata().build());
        converges("node-a excluded", s -> web() != null && !web().localCandidate()
                && web().candidates().equals(java.util.Set.of("node-b")));
        client.nodes().withName("node-a").edit(n -> new NodeBuilder(n).editMetadata()
                .removeFromLabels(NodeState.EXCLUDE_LABEL).endMetadata().build());
        converges("node-a back", s -> web() != null && web().localCandidate());

        // externalTrafficPolicy Local follows EndpointSlices
        client.services().inNamespace("default").withName("web")
                .edit(s -> new ServiceBuilder(s).editSpec().withExternalTrafficPolicy("Local").endSpec().build());
        converges("Local without endpoints", s -> web() != null && web().candidates().isEmpty());
        client.discovery().v1().endpointSlices().resource(slice("web", "node-a", true)).create();
        converges("ready endpoint on node-a", s -> web() != null && web().localCandidate()
                && web().candidates().equals(java.util.Set.of("node-a")));
        client.discovery().v1().endpointSlices().resource(slice("web", "node-a", false)).update();
        converges("endpoint not ready", s -> web() != null && !web().localCandidate());
        client.discovery().v1().endpointSlices().resource(slice("web", "node-b", true)).update();
        converges("endpoint moved to node-b", s -> web() != null
                && web().candidates().equals(java.util.Set.of("node-b")));
        client.discovery().v1().endpointSlices().inNamespace("default").withName("web-abc").delete();
        converges("slice deleted", s -> web() != null && web().candidates().isEmpty());
        client.services().inNamespace("default").withName("web")
                .edit(s -> new ServiceBuilder(s).editSpec().withExternalTrafficPolicy("Cluster").endSpec().build());
        converges("Cluster again", s -> web() != null && web().localCandidate());

        // device goes down: still a candidate (API view) but nothing to announce here
        devices.set(List.of(down("eth0", 2)));
        converges("device down", s -> web() != null && web().localCandidate()
                && web().addresses().getFirst().interfaces().isEmpty());
        devices.set(List.of(device("eth0", 2)));
        converges("device up", s -> web() != null && !web().addresses().getFirst().interfaces().isEmpty());

        // Service deleted, then policy deleted
        client.services().inNamespace("default").withName("web").delete();
        converges("service deleted", s -> s.groups().isEmpty());
        client.services().resource(service("web", Map.of("color", "blue"), "192.0.2.10")).create();
        converges("service recreated", s -> s.groups().containsKey(WEB));
        policies.withName("blue").delete();
        converges("policy deleted", s -> s.equals(SelectionSnapshot.EMPTY));

        // only changes are published: never the same snapshot twice in a row
        List<SelectionSnapshot> seen = List.copyOf(published);
        for (int i = 1; i < seen.size(); i++) {
            assertThat(seen.get(i)).as("publication %d", i).isNotEqualTo(seen.get(i - 1));
        }
        assertThat(source.publishes()).isEqualTo(seen.size() - 1L);
    }

    @Test
    void localServiceKeepsItsNodesWhileEveryEndpointIsTerminating() {
        startSource(DEBOUNCE);
        client.resources(CiliumL2AnnouncementPolicy.class).resource(Scenario.policyObject("all", s -> s)).create();
        client.services().resource(new ServiceBuilder(service("web", Map.of(), "192.0.2.10")).editSpec()
                .withExternalTrafficPolicy("Local").endSpec().build()).create();
        var slices = client.discovery().v1().endpointSlices();
        slices.resource(slice("web", endpoint("node-a", true, true, false))).create();
        converges("ready endpoint on node-a", s -> web() != null && web().localCandidate());

        // kubectl delete pod: the endpoint stays serving during the grace period, the controller marks it
        // terminating and not ready. kube-proxy still forwards to it, so node-a keeps announcing.
        slices.resource(slice("web", endpoint("node-a", false, true, true))).update();
        long before = source.recomputes();
        await("still announced while terminating, after the update was recomputed").during(Duration.ofMillis(500)).atMost(CONVERGE)
                .until(() -> source.recomputes() > before && web() != null && web().localCandidate()
                        && web().candidates().equals(java.util.Set.of("node-a")));

        // a replacement becomes ready on node-b: the draining node hands over
        slices.resource(slice("web", endpoint("node-a", false, true, true), endpoint("node-b", true, true, false)))
                .update();
        converges("ready node-b wins", s -> web() != null && web().candidates().equals(java.util.Set.of("node-b")));

        // grace period over, the replacement gone too: nobody serves
        slices.resource(slice("web", endpoint("node-a", false, false, true), endpoint("node-b", false, false, true)))
                .update();
        converges("nothing serving", s -> web() != null && web().candidates().isEmpty());
    }

    private SharedIndexInformer<Lease> leaseInformer() {
        SharedIndexInformer<Lease> informer = client.resources(Lease.class).inNamespace(LEASE_NS).runnableInformer(0);
        leaseInformers.add(informer);
        return informer;
    }

    /** The Lease as its holder writes it: holder identity and {@link LeaseAddresses} from its group. */
    private void holderWrites(AnnouncementGroup group, String holder) {
        client.resources(Lease.class).inNamespace(LEASE_NS).resource(new LeaseBuilder().withNewMetadata()
                .withName(group.leaseName()).withNamespace(LEASE_NS)
                .addToAnnotations(LeaseAddresses.KEY, LeaseAddresses.encode(group)).endMetadata()
                .withNewSpec().withHolderIdentity(holder).withLeaseDurationSeconds(15).endSpec().build()).create();
    }

    @Test
    void deletingTheFirstMemberOfASharedIpKeepsTheLeaseAlsoForARestartedAgent() {
        SharedIndexInformer<Lease> leases = leaseInformer();
        source = new KubernetesSelectionSource(client, devices, "node-a", List.of(), true,
                RecomputeDebouncer.Scheduler.of(scheduler), DEBOUNCE);
        source.useLeases(leases);
        source.subscribe(published::add);
        source.start();
        client.resources(CiliumL2AnnouncementPolicy.class).resource(Scenario.policyObject("all", s -> s)).create();
        client.services().resource(service("a", Map.of(), "192.0.2.10")).create();
        client.services().resource(service("b", Map.of(), "192.0.2.10")).create();
        await().atMost(CONVERGE).until(source::informersSynced);
        await("no snapshot before the Lease informer synced").during(Duration.ofMillis(300)).atMost(CONVERGE)
                .until(() -> !source.synced() && source.current().equals(SelectionSnapshot.EMPTY));

        leases.start();
        String leaseA = "cilium-l2announce-default-a";
        converges("group of a and b", s -> s.groups().containsKey(leaseA)
                && s.groups().get(leaseA).services().size() == 2);
        holderWrites(source.current().groups().get(leaseA), "node-b");
        await().atMost(CONVERGE).until(() -> leases.getStore().list().size() == 1);

        // Renewals (every retry period, per Lease) change nothing naming reads: they must not recompute.
        long[] last = {-1};
        await("the Lease's creation recomputed, nothing pending").during(Duration.ofMillis(300)).atMost(CONVERGE)
                .until(() -> last[0] == (last[0] = source.recomputes()));
        long settled = source.recomputes();
        for (int renew = 1; renew <= 5; renew++) {
            ZonedDateTime at = ZonedDateTime.parse("2026-01-01T00:00:00Z").plusSeconds(renew);
            client.resources(Lease.class).inNamespace(LEASE_NS).withName(leaseA)
                    .edit(l -> new LeaseBuilder(l).editSpec().withRenewTime(at).endSpec().build());
        }
        await().atMost(CONVERGE).until(() -> leases.getStore().list().getFirst().getSpec().getRenewTime() != null
                && leases.getStore().list().getFirst().getSpec().getRenewTime().getSecond() == 5);
        await("renewals do not signal").during(Duration.ofMillis(300)).atMost(CONVERGE)
                .until(() -> source.recomputes() == settled);

        client.services().inNamespace("default").withName("a").delete();
        converges("a deleted", s -> s.groups().size() == 1 && s.groups().containsKey(leaseA)
                && s.groups().get(leaseA).services().equals(List.of(new ServiceRef("default", "b"))));
        assertThat(published).as("never renamed on the way").allSatisfy(s ->
                assertThat(s.groups().keySet()).isSubsetOf(leaseA));

        // An agent that starts now has no previous snapshot: it must still name b's group after a's Lease.
        SharedIndexInformer<Lease> restartedLeases = leaseInformer();
        try (KubernetesSelectionSource restarted = new KubernetesSelectionSource(client, devices, "node-b",
                List.of(), true, RecomputeDebouncer.Scheduler.of(scheduler), DEBOUNCE)) {
            restarted.useLeases(restartedLeases);
            restartedLeases.start();
            restarted.start();
            await().atMost(CONVERGE).until(restarted::synced);
            assertThat(restarted.current().groups()).containsOnlyKeys(leaseA);
        }
    }

    @Test
    void syncedOnlyAfterTheFirstRecomputeAfterTheInformersSyncedHasRun() {
        // Recomputes wait in a queue until the test runs them: the debounce window, held open.
        Queue<Runnable> held = new ConcurrentLinkedQueue<>();
        source = new KubernetesSelectionSource(client, devices, "node-a", List.of(), true,
                (task, delay) -> held.add(task), DEBOUNCE);
        source.start();
        // Node add events may queue a recompute before the sync; the sync's own signal joins it (not run yet).
        await("informers synced, first recompute after sync scheduled").atMost(CONVERGE)
                .until(() -> source.informersSynced() && !held.isEmpty());
        assertThat(source.synced()).as("nothing computed yet: readiness must not be UP").isFalse();

        while (!held.isEmpty()) {
            held.poll().run();
        }
        assertThat(source.current()).as("no policy: the first snapshot equals EMPTY, nothing published")
                .isEqualTo(SelectionSnapshot.EMPTY);
        assertThat(source.synced()).isTrue();
    }

    @Test
    void aBurstOfAThousandServiceUpdatesCausesABoundedNumberOfRecomputes() {
        Duration debounce = Duration.ofMillis(200);
        startSource(debounce);
        client.resources(CiliumL2AnnouncementPolicy.class).resource(Scenario.policyObject("all", s -> s)).create();
        await().atMost(CONVERGE).until(() -> source.recomputes() >= 1);
        long before = source.recomputes();

        long start = System.nanoTime();
        for (int i = 0; i < 1_000; i++) {
            client.services().resource(service("svc-" + i, Map.of(),
                    "192.0.2." + (i % 250 + 1), "198.51.100." + (i / 250 + 1))).create();
        }
        long burstMillis = Duration.ofNanos(System.nanoTime() - start).toMillis();
        // 250 IPs of 192.0.2.x shared by 4 services each -> union-find links all 1,000 via 198.51.100.y
        converges("all services selected", s -> s.groups().values().stream()
                .mapToInt(g -> g.services().size()).sum() == 1_000);
        long recomputes = source.recomputes() - before;
        long bound = burstMillis / debounce.toMillis() + 3;
        System.out.printf("burst: 1000 service creates in %d ms -> %d recomputes (bound %d), %d publishes%n",
                burstMillis, recomputes, bound, source.publishes());
        assertThat(recomputes).isBetween(1L, bound);
    }
}
