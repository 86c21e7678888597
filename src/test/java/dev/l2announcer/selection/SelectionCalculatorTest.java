package dev.l2announcer.selection;

import dev.l2announcer.datapath.Device;
import io.fabric8.kubernetes.api.model.LabelSelector;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static dev.l2announcer.selection.Scenario.device;
import static dev.l2announcer.selection.Scenario.down;
import static dev.l2announcer.selection.Scenario.expr;
import static dev.l2announcer.selection.Scenario.interfaces;
import static dev.l2announcer.selection.Scenario.ip;
import static dev.l2announcer.selection.Scenario.ipTypes;
import static dev.l2announcer.selection.Scenario.loopback;
import static dev.l2announcer.selection.Scenario.matchLabels;
import static dev.l2announcer.selection.Scenario.noMac;
import static dev.l2announcer.selection.Scenario.nodeSelector;
import static dev.l2announcer.selection.Scenario.serviceSelector;
import static dev.l2announcer.selection.Scenario.svc;
import static org.assertj.core.api.Assertions.assertThat;

class SelectionCalculatorTest {

    private static final String LEASE_WEB = "cilium-l2announce-default-web";

    static Set<ServiceRef> selected(SelectionSnapshot s) {
        return s.groups().values().stream().flatMap(g -> g.services().stream()).collect(Collectors.toSet());
    }

    static AnnouncementGroup only(SelectionSnapshot s) {
        assertThat(s.groups()).hasSize(1);
        return s.groups().values().iterator().next();
    }

    static Map<String, List<String>> addresses(AnnouncementGroup g) {
        return g.addresses().stream().collect(Collectors.toMap(a -> a.address().getHostAddress(),
                AddressOnInterfaces::interfaces, (a, b) -> a, java.util.TreeMap::new));
    }

    // ---- service selector -----------------------------------------------------------------------

    static Stream<Arguments> serviceSelectors() {
        return Stream.of(
                Arguments.of("null selects all", null, true),
                Arguments.of("matchLabels hit", matchLabels("color", "blue"), true),
                Arguments.of("matchLabels miss", matchLabels("color", "red"), false),
                Arguments.of("matchLabels needs every pair", matchLabels("color", "blue", "tier", "db"), false),
                Arguments.of("In hit", expr("color", "In", "red", "blue"), true),
                Arguments.of("In missing key", expr("size", "In", "big"), false),
                Arguments.of("NotIn with value present", expr("color", "NotIn", "blue"), false),
                Arguments.of("NotIn with other value", expr("color", "NotIn", "red"), true),
                Arguments.of("NotIn matches a missing key", expr("size", "NotIn", "big"), true),
                Arguments.of("Exists", expr("color", "Exists"), true),
                Arguments.of("Exists missing", expr("size", "Exists"), false),
                Arguments.of("DoesNotExist missing", expr("size", "DoesNotExist"), true),
                Arguments.of("DoesNotExist present", expr("color", "DoesNotExist"), false),
                Arguments.of("synthetic namespace label",
                        matchLabels("io.kubernetes.service.namespace", "default"), true),
                Arguments.of("synthetic name label", matchLabels("io.kubernetes.service.name", "web"), true),
                Arguments.of("synthetic name label other service",
                        matchLabels("io.kubernetes.service.name", "db"), false),
                Arguments.of("synthetic label overrides a user label of the same key",
                        matchLabels("io.kubernetes.service.name", "spoofed"), false),
                Arguments.of("invalid selector (In without values) selects nothing", expr("color", "In"), false),
                Arguments.of("invalid selector (NotIn without values) selects nothing", expr("size", "NotIn"),
                        false),
                Arguments.of("invalid selector (bad operator) selects nothing", expr("color", "Equals", "blue"),
                        false));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("serviceSelectors")
    void serviceSelector_(String name, LabelSelector selector, boolean expected) {
        SelectionSnapshot s = new Scenario()
                .policy("p", serviceSelector(selector))
                .service(svc("default", "web").label("color", "blue").label("tier", "web")
                        .label("io.kubernetes.service.name", "spoofed").lb("192.0.2.10"))
                .compute();
        assertThat(!s.groups().isEmpty()).isEqualTo(expected);
        if (expected) {
            assertThat(only(s).services()).containsExactly(new ServiceRef("default", "web"));
        }
    }

    // ---- node selector --------------------------------------------------------------------------

    static Stream<Arguments> nodeSelectors() {
        return Stream.of(
                Arguments.of("null selects all nodes", null, List.of("node-a", "node-b", "node-c"), true),
                Arguments.of("matchLabels", matchLabels("zone", "one"), List.of("node-a", "node-b"), true),
                Arguments.of("does not select this node", matchLabels("zone", "two"), List.of("node-c"), false),
                Arguments.of("NotIn matches nodes without the key", expr("role", "NotIn", "edge"),
                        List.of("node-a", "node-c"), true),
                Arguments.of("DoesNotExist", expr("role", "DoesNotExist"), List.of("node-a", "node-c"), true),
                Arguments.of("invalid node selector: policy ignored, no group", expr("zone", "In"), null, false));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("nodeSelectors")
    void nodeSelector_(String name, LabelSelector selector, List<String> candidates, boolean local) {
        SelectionSnapshot s = new Scenario()
                .node("node-a", Map.of("zone", "one"))
                .node("node-b", Map.of("zone", "one", "role", "edge"))
                .node("node-c", Map.of("zone", "two"))
                .policy("p", nodeSelector(selector))
                .service(svc("default", "web").lb("192.0.2.10"))
                .compute();
        if (candidates == null) {
            assertThat(s.groups()).isEmpty();
            return;
        }
        AnnouncementGroup g = only(s);
        assertThat(g.candidates()).containsExactlyElementsOf(candidates);
        assertThat(g.localCandidate()).isEqualTo(local);
        assertThat(addresses(g)).containsEntry("192.0.2.10", local ? List.of("eth0") : List.of());
    }

    // ---- loadBalancerClass ----------------------------------------------------------------------

    static Stream<Arguments> classes() {
        return Stream.of(
                Arguments.of(null, true),
                Arguments.of("io.cilium/l2-announcer", true),
                Arguments.of("io.cilium/bgp-control-plane", false),
                Arguments.of("metallb.io/metallb", false),
                Arguments.of("", false));
    }

    @ParameterizedTest(name = "class {0} -> selected {1}")
    @MethodSource("classes")
    void loadBalancerClass(String cls, boolean expected) {
        SelectionSnapshot s = new Scenario().policy("p")
                .service(svc("default", "web").cls(cls).lb("192.0.2.10"))
                .compute();
        assertThat(!s.groups().isEmpty()).isEqualTo(expected);
    }

    // ---- IP types -------------------------------------------------------------------------------

    static Stream<Arguments> ipTypeTable() {
        // policy externalIPs, policy loadBalancerIPs, agent enable-external-ips, service has ext, has lb -> IPs
        return Stream.of(
                Arguments.of(true, true, true, true, true, List.of("192.0.2.10", "198.51.100.1")),
                Arguments.of(false, true, true, true, true, List.of("192.0.2.10")),
                Arguments.of(true, false, true, true, true, List.of("198.51.100.1")),
                Arguments.of(true, true, false, true, true, List.of("192.0.2.10")),
                Arguments.of(true, false, false, true, true, List.of()),
                Arguments.of(false, false, true, true, true, List.of()),
                Arguments.of(null, null, true, true, true, List.of()),
                Arguments.of(true, true, true, false, false, List.of()),
                Arguments.of(true, false, true, false, true, List.of()),
                Arguments.of(false, true, true, true, false, List.of()),
                Arguments.of(true, true, true, true, false, List.of("198.51.100.1")));
    }

    @ParameterizedTest(name = "policy ext={0} lb={1}, enable-external-ips={2}, service ext={3} lb={4} -> {5}")
    @MethodSource("ipTypeTable")
    void ipTypes_(Boolean ext, Boolean lb, boolean enableExternal, boolean svcExt, boolean svcLb, List<String> ips) {
        Scenario.Svc web = svc("default", "web");
        if (svcExt) {
            web.external("198.51.100.1");
        }
        if (svcLb) {
            web.lb("192.0.2.10");
        }
        Scenario sc = new Scenario().policy("p", ipTypes(ext, lb)).service(web);
        sc.enableExternalIps = enableExternal;
        SelectionSnapshot s = sc.compute();
        if (ips.isEmpty()) {
            assertThat(s.groups()).as("nothing to announce: no group, no lease").isEmpty();
        } else {
            assertThat(addresses(only(s)).keySet()).containsExactlyElementsOf(ips);
        }
    }

    @Test
    void servicesWithNothingToAnnounceNeverFormAGroup() {
        SelectionSnapshot s = new Scenario().policy("p")
                .service(svc("default", "pending")) // LoadBalancer still waiting for an IP
                .service(svc("default", "web").lb("192.0.2.10"))
                .compute();
        assertThat(selected(s)).containsExactly(new ServiceRef("default", "web"));
    }

    @Test
    void policiesUnionTheirIpsAndInterfaces() {
        SelectionSnapshot s = new Scenario()
                .devices(device("eth0", 2), device("eth1", 3), device("eth2", 4))
                .policy("lb-on-eth0", ipTypes(false, true).andThen(interfaces("^eth0$"))::apply)
                .policy("ext-on-eth1", ipTypes(true, false).andThen(interfaces("^eth1$"))::apply)
                .service(svc("default", "web").lb("192.0.2.10").external("198.51.100.1"))
                .compute();
        assertThat(addresses(only(s))).isEqualTo(Map.of(
                "192.0.2.10", List.of("eth0"),
                "198.51.100.1", List.of("eth1")));
    }

    @Test
    void policiesSelectingTheSameIpUnionInterfaces() {
        SelectionSnapshot s = new Scenario()
                .devices(device("eth0", 2), device("eth1", 3), device("eth2", 4))
                .policy("a", interfaces("^eth0$"))
                .policy("b", interfaces("^eth1$"))
                .service(svc("default", "web").lb("192.0.2.10"))
                .compute();
        assertThat(addresses(only(s))).isEqualTo(Map.of("192.0.2.10", List.of("eth0", "eth1")));
    }

    @Test
    void unusablePolicySelectsNothing() {
        SelectionSnapshot s = new Scenario()
                .policy("bad-regex", interfaces("^eth0$", "eth[")) // one bad regex: Cilium ignores the policy
                .service(svc("default", "web").lb("192.0.2.10"))
                .compute();
        assertThat(s.groups()).isEmpty();
        assertThat(s).isEqualTo(SelectionSnapshot.EMPTY);
    }

    // ---- externalTrafficPolicy: Local -----------------------------------------------------------

    static Stream<Arguments> localPolicy() {
        return Stream.of(
                Arguments.of("Cluster: every selected node", false, null, List.of("node-a", "node-b", "node-c"),
                        true),
                Arguments.of("Local with ready endpoints here and on node-c", true, List.of("node-a", "node-c"),
                        List.of("node-a", "node-c"), true),
                Arguments.of("Local with a ready endpoint elsewhere only", true, List.of("node-b"),
                        List.of("node-b"), false),
                Arguments.of("Local without ready endpoints: nobody announces", true, List.of(), List.of(), false),
                Arguments.of("Local with endpoints on an unknown node", true, List.of("node-x"), List.of(), false));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("localPolicy")
    void externalTrafficPolicyLocal(String name, boolean local, List<String> readyOn, List<String> candidates,
                                    boolean localCandidate) {
        Scenario.Svc web = svc("default", "web").lb("192.0.2.10");
        if (local) {
            web.local();
        }
        Scenario sc = new Scenario().policy("p").service(web);
        if (readyOn != null) {
            sc.readyEndpoints("default", "web", readyOn.toArray(String[]::new));
        }
        AnnouncementGroup g = only(sc.compute());
        assertThat(g.candidates()).containsExactlyElementsOf(candidates);
        assertThat(g.localCandidate()).isEqualTo(localCandidate);
        assertThat(addresses(g).get("192.0.2.10")).isEqualTo(localCandidate ? List.of("eth0") : List.of());
    }

    static Stream<Arguments> terminatingEndpoints() {
        return Stream.of(
                Arguments.of("every endpoint terminating: the serving nodes keep announcing", List.of(),
                        List.of("node-a", "node-c"), List.of("node-a", "node-c"), true),
                Arguments.of("a ready endpoint elsewhere wins over a terminating one here", List.of("node-b"),
                        List.of("node-a"), List.of("node-b"), false),
                Arguments.of("ready here, terminating elsewhere: only the ready node", List.of("node-a"),
                        List.of("node-b"), List.of("node-a"), true),
                Arguments.of("nothing ready or serving: nobody", List.of(), List.of(), List.of(), false));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("terminatingEndpoints")
    void localPolicyFallsBackToServingTerminatingEndpoints(String name, List<String> ready, List<String> terminating,
                                                          List<String> candidates, boolean localCandidate) {
        AnnouncementGroup g = only(new Scenario().policy("p").service(svc("default", "web").lb("192.0.2.10").local())
                .endpoints("default", "web", ready, terminating).compute());
        assertThat(g.candidates()).containsExactlyElementsOf(candidates);
        assertThat(g.localCandidate()).isEqualTo(localCandidate);
    }

    @Test
    void terminatingEndpointsDoNotMatterForClusterPolicy() {
        AnnouncementGroup g = only(new Scenario().policy("p").service(svc("default", "web").lb("192.0.2.10"))
                .endpoints("default", "web", List.of(), List.of("node-b")).compute());
        assertThat(g.candidates()).containsExactly("node-a", "node-b", "node-c");
    }

    @Test
    void localPolicyNodeDropsOutWhenItsLastEndpointGoes() {
        Scenario sc = new Scenario().policy("p").service(svc("default", "web").lb("192.0.2.10").local())
                .readyEndpoints("default", "web", "node-a", "node-b");
        assertThat(only(sc.compute()).localCandidate()).isTrue();
        sc.readyEndpoints("default", "web", "node-b");
        AnnouncementGroup g = only(sc.compute());
        assertThat(g.localCandidate()).isFalse();
        assertThat(g.candidates()).containsExactly("node-b");
    }

    // ---- node exclusion -------------------------------------------------------------------------

    static Stream<Arguments> exclusions() {
        String label = NodeState.EXCLUDE_LABEL;
        return Stream.of(
                Arguments.of("healthy", new NodeState("node-a", Map.of(), false, true, false), true),
                Arguments.of("exclude label (empty value)", new NodeState("node-a", Map.of(label, ""), false, true,
                        false), false),
                Arguments.of("exclude label true", new NodeState("node-a", Map.of(label, "true"), false, true,
                        false), false),
                Arguments.of("exclude label \"false\" still excludes: presence counts, not the value",
                        new NodeState("node-a", Map.of(label, "false"), false, true, false), false),
                Arguments.of("exclude label \"0\" still excludes",
                        new NodeState("node-a", Map.of(label, "0"), false, true, false), false),
                Arguments.of("exclude label garbage excludes",
                        new NodeState("node-a", Map.of(label, "maybe"), false, true, false), false),
                Arguments.of("cordoned", new NodeState("node-a", Map.of(), true, true, false), false),
                Arguments.of("NotReady", new NodeState("node-a", Map.of(), false, false, false), false),
                Arguments.of("NetworkUnavailable", new NodeState("node-a", Map.of(), false, true, true), false));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("exclusions")
    void nodeExclusion(String name, NodeState nodeA, boolean candidate) {
        AnnouncementGroup g = only(new Scenario().node(nodeA).policy("p")
                .service(svc("default", "web").lb("192.0.2.10")).compute());
        assertThat(g.candidates().contains("node-a")).isEqualTo(candidate);
        assertThat(g.candidates()).contains("node-b", "node-c");
        assertThat(g.localCandidate()).isEqualTo(candidate);
        assertThat(nodeA.eligible()).isEqualTo(candidate);
    }

    @Test
    void localNodeMissingFromTheApiIsNotACandidate() {
        Scenario sc = new Scenario().policy("p").service(svc("default", "web").lb("192.0.2.10"));
        sc.localNode = "node-unknown";
        AnnouncementGroup g = only(sc.compute());
        assertThat(g.localCandidate()).isFalse();
        assertThat(g.candidates()).containsExactly("node-a", "node-b", "node-c");
    }

    // ---- interfaces -----------------------------------------------------------------------------

    static Stream<Arguments> interfaceTable() {
        List<Device> devs = List.of(device("eth0", 2), device("eth1", 3), device("veth9", 4), device("bond0", 5),
                down("eth2", 6), loopback("lo", 1), noMac("wg0", 7));
        return Stream.of(
                Arguments.of("no regex, no devices option: every usable device", List.of(), List.of(), devs,
                        List.of("bond0", "eth0", "eth1", "veth9")),
                Arguments.of("unanchored regex matches inside names (Go MatchString)", List.of("eth"), List.of(),
                        devs, List.of("eth0", "eth1", "veth9")),
                Arguments.of("anchored regex", List.of("^eth[0-9]+"), List.of(), devs, List.of("eth0", "eth1")),
                Arguments.of("regexes are OR-ed", List.of("^eth0$", "^bond"), List.of(), devs,
                        List.of("bond0", "eth0")),
                Arguments.of("devices option limits", List.of("^eth[0-9]+"), List.of("eth1"), devs,
                        List.of("eth1")),
                Arguments.of("devices option wildcard", List.of(), List.of("eth+"), devs, List.of("eth0", "eth1")),
                Arguments.of("devices option with unusable devices only", List.of(), List.of("eth2", "lo", "wg0"),
                        devs, List.of()),
                Arguments.of("regex matching only unusable devices", List.of("^lo$", "^eth2$", "^wg"), List.of(),
                        devs, List.of()),
                Arguments.of("regex and devices option disjoint", List.of("^bond"), List.of("eth+"), devs,
                        List.of()),
                Arguments.of("no devices at all", List.of(), List.of(), List.of(), List.of()));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("interfaceTable")
    void interfaceSelection(String name, List<String> regexes, List<String> devicesOption, List<Device> devices,
                            List<String> expected) {
        Scenario sc = new Scenario()
                .policy("p", regexes.isEmpty() ? s -> s : interfaces(regexes.toArray(String[]::new)))
                .service(svc("default", "web").lb("192.0.2.10"))
                .devices(devices.toArray(Device[]::new));
        sc.devicesOption = devicesOption;
        AnnouncementGroup g = only(sc.compute());
        assertThat(addresses(g).get("192.0.2.10")).isEqualTo(expected);
        assertThat(g.localCandidate()).as("a candidate stays one without interfaces (the planner reports it)")
                .isTrue();
        assertThat(g.candidates()).as("candidates come from API objects only, not devices")
                .containsExactly("node-a", "node-b", "node-c");
    }

    // ---- IPv6 -----------------------------------------------------------------------------------

    @Test
    void ipv6OnlyServiceIsAGroupLikeAnyOther() {
        AnnouncementGroup g = only(new Scenario().policy("p")
                .service(svc("default", "web").lb("2001:db8::10"))
                .compute());
        assertThat(g.addresses()).hasSize(1);
        AddressOnInterfaces a = g.addresses().getFirst();
        assertThat(a.isIpv4()).isFalse();
        assertThat(a.address()).isEqualTo(ip("2001:db8::10"));
        assertThat(a.interfaces()).containsExactly("eth0");
        assertThat(g.candidates()).containsExactly("node-a", "node-b", "node-c");
        assertThat(g.localCandidate()).as("a candidate with an interface for its address: it campaigns").isTrue();
    }

    @Test
    void dualStackServiceKeepsBothFamiliesIpv4First() {
        AnnouncementGroup g = only(new Scenario().policy("p")
                .service(svc("default", "web").lb("2001:db8::10", "192.0.2.10"))
                .compute());
        assertThat(g.addresses()).extracting(AddressOnInterfaces::isIpv4).containsExactly(true, false);
        assertThat(g.localCandidate()).isTrue();
    }

    @Test
    void servicesSharingAnIpv6AddressWrittenDifferentlyAreOneGroup() {
        SelectionSnapshot s = new Scenario().policy("p")
                .service(svc("default", "v6-tcp").lb("2001:db8::10"))
                .service(svc("default", "v6-udp").lb("2001:DB8:0:0:0:0:0:10"))
                .service(svc("default", "other").lb("2001:db8::11"))
                .compute();
        assertThat(s.groups().keySet()).containsExactly("cilium-l2announce-default-other", "cilium-l2announce-default-v6-tcp");
        AnnouncementGroup g = s.groups().get("cilium-l2announce-default-v6-tcp");
        assertThat(g.services()).containsExactly(new ServiceRef("default", "v6-tcp"), new ServiceRef("default", "v6-udp"));
        assertThat(g.addresses()).extracting(AddressOnInterfaces::address).containsExactly(ip("2001:db8::10"));
    }

    @Test
    void aDualStackServiceJoinsTheGroupsOfBothItsAddressesSoOneHolderAnswersBothFamilies() {
        // v4-only shares 192.0.2.10, v6-only shares 2001:db8::10: the dual-stack Service links all three.
        SelectionSnapshot s = new Scenario().policy("p")
                .service(svc("default", "v4-only").lb("192.0.2.10"))
                .service(svc("default", "v6-only").external("2001:db8::10"))
                .service(svc("default", "web").lb("2001:db8::10", "192.0.2.10"))
                .compute();
        AnnouncementGroup g = only(s);
        assertThat(g.leaseName()).isEqualTo("cilium-l2announce-default-v4-only");
        assertThat(g.services()).extracting(ServiceRef::name).containsExactly("v4-only", "v6-only", "web");
        assertThat(g.addresses()).extracting(a -> dev.l2announcer.datapath.Addresses.format(a.address()))
                .containsExactly("192.0.2.10", "2001:db8::10");
    }

    @Test
    void aLeaseThatRecordedAnIpv6AddressKeepsItsGroupWhenTheMemberItWasNamedAfterIsGone() {
        // web-a named the Lease; it was deleted; web-b still shares the IPv6 address the holder recorded.
        SelectionSnapshot s = new Scenario().policy("p")
                .lease("cilium-l2announce-default-web-a", 100, "2001:db8::10", "192.0.2.10")
                .service(svc("default", "web-b").lb("2001:db8::10"))
                .compute();
        assertThat(only(s).leaseName()).isEqualTo("cilium-l2announce-default-web-a");
    }

    // ---- announcement groups --------------------------------------------------------------------

    @Test
    void servicesSharingAnIpFormOneGroupNamedAfterTheFirst() {
        SelectionSnapshot s = new Scenario().policy("p")
                .service(svc("default", "web-udp").lb("192.0.2.10"))
                .service(svc("default", "web-tcp").lb("192.0.2.10"))
                .service(svc("default", "other").lb("192.0.2.20"))
                .compute();
        assertThat(s.groups().keySet()).containsExactly("cilium-l2announce-default-other",
                "cilium-l2announce-default-web-tcp");
        AnnouncementGroup g = s.groups().get("cilium-l2announce-default-web-tcp");
        assertThat(g.services()).containsExactly(new ServiceRef("default", "web-tcp"),
                new ServiceRef("default", "web-udp"));
        assertThat(addresses(g).keySet()).containsExactly("192.0.2.10");
    }

    @Test
    void sharingIsTransitive() {
        // a and c share nothing directly; b links them. Namespace orders before name.
        SelectionSnapshot s = new Scenario().policy("p")
                .service(svc("zeta", "a").lb("192.0.2.1"))
                .service(svc("alpha", "zz").lb("192.0.2.1", "192.0.2.2"))
                .service(svc("beta", "c").external("192.0.2.2", "192.0.2.3"))
                .service(svc("beta", "alone").lb("192.0.2.4"))
                .compute();
        assertThat(s.groups()).hasSize(2);
        AnnouncementGroup g = s.groups().get("cilium-l2announce-alpha-zz");
        assertThat(g.services()).containsExactly(new ServiceRef("alpha", "zz"), new ServiceRef("beta", "c"),
                new ServiceRef("zeta", "a"));
        assertThat(addresses(g).keySet()).containsExactly("192.0.2.1", "192.0.2.2", "192.0.2.3");
        assertThat(s.groups().get("cilium-l2announce-beta-alone").services())
                .containsExactly(new ServiceRef("beta", "alone"));
    }

    @Test
    void groupCandidatesAreNodesServingEveryMember() {
        // tcp and udp share an IP; both Local; pods of udp only on b and c, of tcp on a and b.
        SelectionSnapshot s = new Scenario().policy("p")
                .service(svc("default", "tcp").lb("192.0.2.10").local())
                .service(svc("default", "udp").lb("192.0.2.10").local())
                .readyEndpoints("default", "tcp", "node-a", "node-b")
                .readyEndpoints("default", "udp", "node-b", "node-c")
                .compute();
        AnnouncementGroup g = only(s);
        assertThat(g.candidates()).containsExactly("node-b");
        assertThat(g.localCandidate()).isFalse();
        assertThat(addresses(g).get("192.0.2.10")).isEmpty();
    }

    @Test
    void groupFallsBackToNodesServingAnyMemberWhenNoneServesAll() {
        Scenario sc = new Scenario().policy("p")
                .service(svc("default", "tcp").lb("192.0.2.10", "192.0.2.11").local())
                .service(svc("default", "udp").lb("192.0.2.10").local())
                .readyEndpoints("default", "tcp", "node-a")
                .readyEndpoints("default", "udp", "node-c");
        AnnouncementGroup g = only(sc.compute());
        assertThat(g.candidates()).containsExactly("node-a", "node-c");
        assertThat(g.localCandidate()).isTrue();
        // node-a serves tcp: both of tcp's IPs get interfaces here
        assertThat(addresses(g)).isEqualTo(Map.of("192.0.2.10", List.of("eth0"), "192.0.2.11", List.of("eth0")));

        sc.localNode = "node-c"; // node-c serves udp only: tcp's own IP is not announced from there
        g = only(sc.compute());
        assertThat(g.localCandidate()).isTrue();
        assertThat(addresses(g)).isEqualTo(Map.of("192.0.2.10", List.of("eth0"), "192.0.2.11", List.of()));
    }

    @Test
    void interfacesOnlyFromPoliciesSelectingThisNode() {
        SelectionSnapshot s = new Scenario()
                .node("node-a", Map.of("zone", "one"))
                .node("node-b", Map.of("zone", "two"))
                .devices(device("eth0", 2), device("eth1", 3))
                .policy("zone-one", nodeSelector(matchLabels("zone", "one")).andThen(interfaces("^eth0$"))::apply)
                .policy("zone-two", nodeSelector(matchLabels("zone", "two")).andThen(interfaces("^eth1$"))::apply)
                .service(svc("default", "web").lb("192.0.2.10"))
                .compute();
        AnnouncementGroup g = only(s);
        assertThat(g.candidates()).containsExactly("node-a", "node-b");
        assertThat(addresses(g).get("192.0.2.10")).containsExactly("eth0");
    }

    @Test
    void leaseNameMatchesCilium() {
        AnnouncementGroup g = only(new Scenario().policy("p").service(svc("default", "web").lb("192.0.2.10"))
                .compute());
        assertThat(g.leaseName()).isEqualTo(LEASE_WEB);
    }

    // ---- determinism and version ----------------------------------------------------------------

    private static Scenario bigScenario(long seed) {
        Random r = new Random(seed);
        Scenario sc = new Scenario().policy("p1", interfaces("^eth0$"))
                .policy("p2", nodeSelector(matchLabels("zone", "one")))
                .node("node-a", Map.of("zone", "one"));
        for (int i = 0; i < 50; i++) {
            Scenario.Svc s = svc("ns" + (i % 5), "svc" + i).lb("192.0.2." + (i % 30));
            if (i % 7 == 0) {
                s.local();
                sc.readyEndpoints(s.ref.namespace(), s.ref.name(), "node-" + "abc".charAt(r.nextInt(3)));
            }
            if (i % 3 == 0) {
                s.external("2001:db8::" + i);
            }
            sc.service(s);
        }
        return sc;
    }

    @Test
    void equalInputsGiveEqualSnapshotsWhateverTheOrder() {
        Scenario a = bigScenario(1);
        Scenario b = bigScenario(1);
        List<ServiceState> shuffled = new ArrayList<>(b.services);
        Collections.shuffle(shuffled, new Random(42));
        b.services.clear();
        b.services.addAll(shuffled);
        Collections.reverse(b.policies);

        SelectionSnapshot x = a.compute();
        SelectionSnapshot y = b.compute();
        assertThat(y).isEqualTo(x);
        assertThat(y.version()).isEqualTo(x.version()).isNotZero();
        assertThat(SelectionCalculator.compute(a.inputs())).isEqualTo(x);
    }

    @Test
    void anyChangeChangesTheVersion() {
        Scenario sc = bigScenario(1);
        long base = sc.compute().version();

        Scenario moreDevices = bigScenario(1).devices(device("eth0", 2), device("eth1", 3));
        Scenario otherIp = bigScenario(1).service(svc("x", "y").lb("203.0.113.1"));
        Scenario otherLocal = bigScenario(1);
        otherLocal.localNode = "node-b";
        Set<Long> versions = new TreeSet<>();
        versions.add(base);
        versions.add(moreDevices.compute().version());
        versions.add(otherIp.compute().version());
        versions.add(otherLocal.compute().version());
        assertThat(versions).hasSize(4);
    }

    @Test
    void nothingSelectedEqualsEmpty() {
        SelectionSnapshot s = new Scenario().service(svc("default", "web").lb("192.0.2.10")).compute();
        assertThat(s).isEqualTo(SelectionSnapshot.EMPTY);
        assertThat(s.version()).isZero();
    }

    @Test
    void addressesAreSortedNumerically() {
        AnnouncementGroup g = only(new Scenario().policy("p")
                .service(svc("default", "web").lb("192.0.2.100", "192.0.2.9", "10.0.0.1"))
                .compute());
        assertThat(g.addresses()).extracting(a -> a.address().getHostAddress())
                .containsExactly("10.0.0.1", "192.0.2.9", "192.0.2.100");
    }
}
