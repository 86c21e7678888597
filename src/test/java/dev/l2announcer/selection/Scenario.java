package dev.l2announcer.selection;

import dev.l2announcer.datapath.Device;
import dev.l2announcer.datapath.MacAddress;
import dev.l2announcer.policy.CiliumL2AnnouncementPolicy;
import dev.l2announcer.policy.L2AnnouncementPolicySpec;
import dev.l2announcer.policy.PolicyValidator;
import dev.l2announcer.policy.ValidatedPolicy;
import io.fabric8.kubernetes.api.model.LabelSelector;
import io.fabric8.kubernetes.api.model.LabelSelectorBuilder;
import io.fabric8.kubernetes.api.model.LabelSelectorRequirement;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;

import java.net.InetAddress;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.UnaryOperator;
import java.util.stream.Collectors;

/**
 * Test fixture: a small cluster described fluently, turned into {@link SelectionInputs}.
 * Defaults: local node "node-a"; nodes node-a, node-b, node-c, all Ready; local device eth0 usable;
 * no {@code devices} option; enable-external-ips on.
 */
final class Scenario {
    final List<CiliumL2AnnouncementPolicy> policies = new ArrayList<>();
    final List<ServiceState> services = new ArrayList<>();
    final Map<ServiceRef, EndpointNodes> endpoints = new HashMap<>();
    final Map<String, NodeState> nodes = new LinkedHashMap<>();
    String localNode = "node-a";
    List<Device> devices = new ArrayList<>(List.of(device("eth0", 2)));
    List<String> devicesOption = List.of();
    boolean enableExternalIps = true;
    /** Announcement Leases in the API (empty: not known, groups named after their first member). */
    final List<ExistingLease> leases = new ArrayList<>();
    /** The lease each address was announced under in the previous snapshot. */
    final Map<InetAddress, String> previous = new HashMap<>();

    Scenario() {
        for (String n : List.of("node-a", "node-b", "node-c")) {
            node(n, Map.of());
        }
    }

    // ---- policies -----------------------------------------------------------------------------

    static CiliumL2AnnouncementPolicy policyObject(String name, UnaryOperator<L2AnnouncementPolicySpec> spec) {
        var p = new CiliumL2AnnouncementPolicy();
        p.setMetadata(new ObjectMetaBuilder().withName(name).withGeneration(1L).build());
        var s = new L2AnnouncementPolicySpec();
        s.setLoadBalancerIPs(true);
        s.setExternalIPs(true);
        p.setSpec(spec.apply(s));
        return p;
    }

    /** A policy announcing both IP types, customised by {@code spec}. */
    Scenario policy(String name, UnaryOperator<L2AnnouncementPolicySpec> spec) {
        policies.add(policyObject(name, spec));
        return this;
    }

    Scenario policy(String name) {
        return policy(name, s -> s);
    }

    static UnaryOperator<L2AnnouncementPolicySpec> serviceSelector(LabelSelector sel) {
        return s -> {
            s.setServiceSelector(sel);
            return s;
        };
    }

    static UnaryOperator<L2AnnouncementPolicySpec> nodeSelector(LabelSelector sel) {
        return s -> {
            s.setNodeSelector(sel);
            return s;
        };
    }

    static UnaryOperator<L2AnnouncementPolicySpec> interfaces(String... regexes) {
        return s -> {
            s.setInterfaces(Arrays.asList(regexes));
            return s;
        };
    }

    static UnaryOperator<L2AnnouncementPolicySpec> ipTypes(Boolean external, Boolean lb) {
        return s -> {
            s.setExternalIPs(external);
            s.setLoadBalancerIPs(lb);
            return s;
        };
    }

    static LabelSelector matchLabels(String... kv) {
        Map<String, String> m = new LinkedHashMap<>();
        for (int i = 0; i < kv.length; i += 2) {
            m.put(kv[i], kv[i + 1]);
        }
        return new LabelSelectorBuilder().withMatchLabels(m).build();
    }

    static LabelSelector expr(String key, String op, String... values) {
        return new LabelSelectorBuilder().withMatchExpressions(
                new LabelSelectorRequirement(key, op, values.length == 0 && !op.endsWith("In") ? null
                        : Arrays.asList(values))).build();
    }

    // ---- services -----------------------------------------------------------------------------

    static final class Svc {
        final ServiceRef ref;
        Map<String, String> labels = new HashMap<>();
        String cls;
        List<InetAddress> external = new ArrayList<>();
        List<InetAddress> lb = new ArrayList<>();
        boolean local;

        Svc(String ns, String name) {
            ref = new ServiceRef(ns, name);
        }

        Svc label(String k, String v) {
            labels.put(k, v);
            return this;
        }

        Svc cls(String c) {
            cls = c;
            return this;
        }

        Svc lb(String... ips) {
            for (String ip : ips) {
                lb.add(ip(ip));
            }
            return this;
        }

        Svc external(String... ips) {
            for (String ip : ips) {
                external.add(ip(ip));
            }
            return this;
        }

        Svc local() {
            local = true;
            return this;
        }

        ServiceState state() {
            return new ServiceState(ref, labels, cls, external, lb, local);
        }
    }

    static Svc svc(String ns, String name) {
        return new Svc(ns, name);
    }

    Scenario service(Svc s) {
        services.add(s.state());
        return this;
    }

    /** The Service's ready endpoints run on these nodes (replaces what was set before, terminating ones too). */
    Scenario readyEndpoints(String ns, String name, String... nodeNames) {
        endpoints.put(new ServiceRef(ns, name), new EndpointNodes(Set.of(nodeNames), Set.of()));
        return this;
    }

    /** Ready endpoints on {@code ready}, serving+terminating ones on {@code terminating}. */
    Scenario endpoints(String ns, String name, List<String> ready, List<String> terminating) {
        endpoints.put(new ServiceRef(ns, name), new EndpointNodes(Set.copyOf(ready), Set.copyOf(terminating)));
        return this;
    }

    // ---- nodes and devices --------------------------------------------------------------------

    Scenario node(String name, Map<String, String> labels) {
        nodes.put(name, new NodeState(name, labels, false, true, false));
        return this;
    }

    Scenario node(NodeState n) {
        nodes.put(n.name(), n);
        return this;
    }

    Scenario devices(Device... ds) {
        devices = new ArrayList<>(List.of(ds));
        return this;
    }

    static Device device(String name, int ifindex) {
        return new Device(ifindex, name, MacAddress.parse(String.format("02:00:00:00:00:%02x", ifindex)), true,
                false, "up", "", 0);
    }

    static Device down(String name, int ifindex) {
        return new Device(ifindex, name, MacAddress.parse(String.format("02:00:00:00:00:%02x", ifindex)), false,
                false, "down", "", 0);
    }

    static Device loopback(String name, int ifindex) {
        return new Device(ifindex, name, null, true, true, "unknown", "", 0);
    }

    static Device noMac(String name, int ifindex) {
        return new Device(ifindex, name, null, true, false, "unknown", "wireguard", 0);
    }

    static InetAddress ip(String literal) {
        return IpLiterals.parse(literal).orElseThrow(() -> new IllegalArgumentException(literal));
    }

    // ---- leases -------------------------------------------------------------------------------

    /** A Lease exists, created at second {@code createdAt}, its holder having recorded {@code addresses}. */
    Scenario lease(String name, long createdAt, String... addresses) {
        leases.add(new ExistingLease(name, Instant.ofEpochSecond(createdAt),
                Arrays.stream(addresses).map(Scenario::ip).collect(Collectors.toSet())));
        return this;
    }

    /** What a holder of each group would have written: every group's Lease exists and records its addresses. */
    Scenario leasesAsHoldersWrote(SelectionSnapshot s, long createdAt) {
        for (AnnouncementGroup g : s.groups().values()) {
            leases.add(new ExistingLease(g.leaseName(), Instant.ofEpochSecond(createdAt),
                    LeaseAddresses.decode(LeaseAddresses.encode(g))));
        }
        return this;
    }

    Scenario removeService(String ns, String name) {
        services.removeIf(s -> s.ref().equals(new ServiceRef(ns, name)));
        return this;
    }

    // ---- result -------------------------------------------------------------------------------

    SelectionInputs inputs() {
        List<ValidatedPolicy> validated = policies.stream().map(PolicyValidator::validate).toList();
        return new SelectionInputs(validated, services, endpoints, List.copyOf(nodes.values()), localNode, devices,
                new DeviceNameFilter(devicesOption), enableExternalIps, leases, previous);
    }

    SelectionSnapshot compute() {
        return SelectionCalculator.compute(inputs());
    }
}
