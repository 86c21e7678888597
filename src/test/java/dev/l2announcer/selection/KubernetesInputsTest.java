package dev.l2announcer.selection;

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
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.List;
import java.util.Map;
import java.util.Set;

import static dev.l2announcer.selection.Scenario.ip;
import static org.assertj.core.api.Assertions.assertThat;

class KubernetesInputsTest {

    @Test
    void serviceFieldsAndSyntheticLabels() {
        Service s = new ServiceBuilder()
                .withNewMetadata().withNamespace("shop").withName("web").addToLabels("app", "web").endMetadata()
                .withNewSpec().withType("LoadBalancer").withLoadBalancerClass("io.cilium/l2-announcer")
                .withExternalTrafficPolicy("Local")
                .withExternalIPs("198.51.100.1", "not-an-ip", "198.51.100.1", "2001:db8::1").endSpec()
                .withNewStatus().withNewLoadBalancer().withIngress(
                        new LoadBalancerIngressBuilder().withIp("192.0.2.10").build(),
                        new LoadBalancerIngressBuilder().withHostname("lb.example.com").build(),
                        new LoadBalancerIngressBuilder().withIp("192.0.2.11").build())
                .endLoadBalancer().endStatus()
                .build();
        ServiceState st = KubernetesInputs.service(s);
        assertThat(st.ref()).isEqualTo(new ServiceRef("shop", "web"));
        assertThat(st.loadBalancerClass()).isEqualTo("io.cilium/l2-announcer");
        assertThat(st.classAllowed()).isTrue();
        assertThat(st.externalTrafficPolicyLocal()).isTrue();
        assertThat(st.externalIPs()).containsExactly(ip("198.51.100.1"), ip("2001:db8::1"));
        assertThat(st.loadBalancerIPs()).containsExactly(ip("192.0.2.10"), ip("192.0.2.11"));
        assertThat(st.selectorLabels()).isEqualTo(Map.of("app", "web",
                "io.kubernetes.service.namespace", "shop", "io.kubernetes.service.name", "web"));
    }

    @Test
    void bareServiceHasNothing() {
        Service s = new ServiceBuilder().withNewMetadata().withNamespace("a").withName("b").endMetadata().build();
        ServiceState st = KubernetesInputs.service(s);
        assertThat(st.externalIPs()).isEmpty();
        assertThat(st.loadBalancerIPs()).isEmpty();
        assertThat(st.externalTrafficPolicyLocal()).isFalse();
        assertThat(st.labels()).isEmpty();
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource({
            "192.0.2.1, 192.0.2.1",
            "2001:db8::1, 2001:db8:0:0:0:0:0:1",
            "192.0.2.01, ",          // leading zero: Go's netip rejects it
            "192.0.2, ",             // short form: no
            "256.0.0.1, ",
            "example.com, ",         // never resolved
            "fe80::1%eth0, ",        // zoned: cannot be announced
            "'', "})
    void ipLiterals(String literal, String expected) {
        assertThat(IpLiterals.parse(literal).map(a -> a.getHostAddress()).orElse(null)).isEqualTo(expected);
    }

    static Node node(String... conditions) {
        NodeBuilder b = new NodeBuilder().withNewMetadata().withName("n1").addToLabels("zone", "one").endMetadata()
                .withNewStatus().endStatus();
        for (int i = 0; i < conditions.length; i += 2) {
            b.editStatus().addNewCondition().withType(conditions[i]).withStatus(conditions[i + 1]).endCondition()
                    .endStatus();
        }
        return b.build();
    }

    @Test
    void nodeConditions() {
        assertThat(KubernetesInputs.node(node("Ready", "True")))
                .isEqualTo(new NodeState("n1", Map.of("zone", "one"), false, true, false));
        assertThat(KubernetesInputs.node(node("Ready", "Unknown")).exclusion()).contains("NotReady");
        assertThat(KubernetesInputs.node(node()).exclusion()).as("no Ready condition yet").contains("NotReady");
        assertThat(KubernetesInputs.node(node("Ready", "True", "NetworkUnavailable", "True")).exclusion())
                .contains("NetworkUnavailable");
        assertThat(KubernetesInputs.node(node("Ready", "True", "NetworkUnavailable", "False")).eligible()).isTrue();
        Node cordoned = new NodeBuilder(node("Ready", "True")).withNewSpec().withUnschedulable(true).endSpec().build();
        assertThat(KubernetesInputs.node(cordoned).exclusion()).contains("cordoned");
    }

    @ParameterizedTest(name = "exclude label value \"{0}\" excludes")
    @CsvSource({"''", "true", "false", "0", "anything"})
    void excludeLabelExcludesByPresenceWhateverItsValue(String value) {
        Node labelled = new NodeBuilder(node("Ready", "True")).editMetadata()
                .addToLabels(NodeState.EXCLUDE_LABEL, value).endMetadata().build();
        assertThat(KubernetesInputs.node(labelled).exclusion()).contains("label " + NodeState.EXCLUDE_LABEL);
    }

    static EndpointSlice slice(String ns, String svc, EndpointBuilder... endpoints) {
        EndpointSliceBuilder b = new EndpointSliceBuilder().withNewMetadata().withNamespace(ns)
                .withName(svc + "-x").endMetadata().withAddressType("IPv4");
        if (svc != null) {
            b.editMetadata().addToLabels(KubernetesInputs.SERVICE_NAME_LABEL, svc).endMetadata();
        }
        for (EndpointBuilder e : endpoints) {
            b.addToEndpoints(e.build());
        }
        return b.build();
    }

    static EndpointBuilder ep(String node, Boolean ready, Boolean serving, Boolean terminating) {
        return new EndpointBuilder().withAddresses("10.0.0.1").withNodeName(node)
                .withNewConditions().withReady(ready).withServing(serving).withTerminating(terminating)
                .endConditions();
    }

    @Test
    void endpointNodesByCondition() {
        var nodes = KubernetesInputs.endpointNodes(List.of(
                slice("shop", "web",
                        ep("node-a", true, true, false),
                        ep("node-b", null, null, null),       // unset ready means ready (API doc)
                        ep("node-c", false, true, true),      // serving and terminating: the grace period
                        ep("node-d", false, false, false),    // neither
                        ep("node-g", false, false, true),     // terminating, no longer serving: not used
                        ep("node-h", false, null, true),      // unset serving means serving (kube-proxy)
                        ep("node-i", false, true, false),     // serving but not terminating: not ready is not ready
                        ep(null, true, true, false)),         // no node: cannot make a node a candidate
                slice("shop", "web", ep("node-e", true, true, false)), // second slice of the same service
                slice("shop", "db", ep("node-d", false, false, false)),
                slice("shop", null, ep("node-f", true, true, false)))); // not owned by a Service
        assertThat(nodes).isEqualTo(Map.of(
                new ServiceRef("shop", "web"), new EndpointNodes(Set.of("node-a", "node-b", "node-e"),
                        Set.of("node-c", "node-h")),
                new ServiceRef("shop", "db"), EndpointNodes.NONE));
        assertThat(nodes.get(new ServiceRef("shop", "web")).announcing()).as("ready nodes win while there are any")
                .containsExactlyInAnyOrder("node-a", "node-b", "node-e");
    }

    @Test
    void everyEndpointTerminatingKeepsTheServingNodes() {
        // A rolling delete: both Pods in their grace period, still passing readiness (KEP-1669).
        var nodes = KubernetesInputs.endpointNodes(List.of(slice("shop", "web",
                ep("node-a", false, true, true), ep("node-b", false, true, true), ep("node-c", false, false, true))));
        assertThat(nodes.get(new ServiceRef("shop", "web")).announcing()).containsExactlyInAnyOrder("node-a", "node-b");
    }

    @Test
    void announcementLeases() {
        Lease lease = new LeaseBuilder().withNewMetadata().withName("cilium-l2announce-default-a")
                .withCreationTimestamp("2026-01-01T00:00:05Z")
                .addToAnnotations(LeaseAddresses.KEY, "192.0.2.10, 2001:db8::10,not-an-ip")
                .addToAnnotations("l2announcer.dev/announced-on", "eth0=02:00:00:00:00:01").endMetadata()
                .withNewSpec().withHolderIdentity("node-a").endSpec().build();
        assertThat(KubernetesInputs.lease(lease)).isEqualTo(new ExistingLease("cilium-l2announce-default-a",
                java.time.Instant.parse("2026-01-01T00:00:05Z"), Set.of(ip("192.0.2.10"), ip("2001:db8::10"))));

        Lease cilium = new LeaseBuilder().withNewMetadata().withName("cilium-l2announce-default-b")
                .withCreationTimestamp("garbage").endMetadata().build();
        assertThat(KubernetesInputs.lease(cilium)).as("no annotation, unparsable time")
                .isEqualTo(new ExistingLease("cilium-l2announce-default-b", null, Set.of()));
        Lease other = new LeaseBuilder().withNewMetadata().withName("kube-scheduler").endMetadata().build();
        assertThat(KubernetesInputs.lease(other)).as("not an announcement Lease").isNull();
    }

    @Test
    void leaseAddressesRoundTripAndAreCapped() {
        List<AddressOnInterfaces> many = new java.util.ArrayList<>();
        for (int i = 1; i <= 100; i++) {
            many.add(new AddressOnInterfaces(ip("198.51.100." + i), List.of()));
        }
        AnnouncementGroup g = new AnnouncementGroup("cilium-l2announce-default-a",
                List.of(new ServiceRef("default", "a")), many, new java.util.TreeSet<>(), false);
        Set<java.net.InetAddress> decoded = LeaseAddresses.decode(LeaseAddresses.encode(g));
        assertThat(decoded).hasSize(LeaseAddresses.MAX_ADDRESSES)
                .contains(ip("198.51.100.1"), ip("198.51.100.64")).doesNotContain(ip("198.51.100.65"));
        assertThat(LeaseAddresses.decode(null)).isEmpty();
        assertThat(LeaseAddresses.decode(",,x,192.0.2.1")).containsExactly(ip("192.0.2.1"));
    }
}
