package dev.l2announcer.selection;

import dev.l2announcer.datapath.Device;
import dev.l2announcer.policy.CiliumL2AnnouncementPolicy;
import dev.l2announcer.policy.PolicyValidator;
import dev.l2announcer.policy.ValidatedPolicy;
import io.fabric8.kubernetes.api.model.LoadBalancerIngressBuilder;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointBuilder;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSliceBuilder;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

import static dev.l2announcer.selection.Scenario.device;
import static dev.l2announcer.selection.Scenario.expr;
import static dev.l2announcer.selection.Scenario.interfaces;
import static dev.l2announcer.selection.Scenario.matchLabels;
import static dev.l2announcer.selection.Scenario.nodeSelector;
import static dev.l2announcer.selection.Scenario.serviceSelector;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Full recompute of 10,000 Services x 50 policies x 100 nodes. Run: ./mvnw test -Pbench -Dtest=SelectionBenchmark
 * Prints medians of timed runs after warm-up, and retained heap of the inputs and of the snapshot.
 */
@Tag("benchmark")
class SelectionBenchmark {
    static final int SERVICES = 10_000;
    static final int POLICIES = 50;
    static final int NODES = 100;
    static final int WARMUP = 5;
    static final int RUNS = 15;

    static List<CiliumL2AnnouncementPolicy> policies() {
        List<CiliumL2AnnouncementPolicy> out = new ArrayList<>();
        for (int i = 0; i < POLICIES; i++) {
            int k = i;
            out.add(switch (i % 5) {
                // 10 policies select a team each with matchLabels, on nodes of one zone
                case 0 -> Scenario.policyObject("p" + i, s -> nodeSelector(matchLabels("zone", "z" + (k % 5)))
                        .apply(serviceSelector(matchLabels("team", "t" + k)).apply(s)));
                // 10 with In over three teams, anchored interface regex
                case 1 -> Scenario.policyObject("p" + i, s -> interfaces("^eth[0-9]+$")
                        .apply(serviceSelector(expr("team", "In", "t" + k, "t" + (k + 1), "t" + (k + 2))).apply(s)));
                // 10 with NotIn (matches most services, incl. missing keys)
                case 2 -> Scenario.policyObject("p" + i, serviceSelector(expr("tier", "NotIn", "db" + k)));
                // 10 by synthetic namespace label
                case 3 -> Scenario.policyObject("p" + i, s -> interfaces("^bond", "^eth0$")
                        .apply(serviceSelector(matchLabels("io.kubernetes.service.namespace", "ns" + (k % 20)))
                                .apply(s)));
                // 10 select everything, only LB IPs
                default -> Scenario.policyObject("p" + i, Scenario.ipTypes(false, true));
            });
        }
        return out;
    }

    static List<Service> services() {
        List<Service> out = new ArrayList<>(SERVICES);
        for (int i = 0; i < SERVICES; i++) {
            // every 10th service shares its LB IP with the previous one (TCP+UDP pairs)
            int ipIndex = i % 10 == 9 ? i - 1 : i;
            String lb = "10." + (ipIndex >> 16 & 255) + "." + (ipIndex >> 8 & 255) + "." + (ipIndex & 255);
            ServiceBuilder b = new ServiceBuilder()
                    .withNewMetadata().withNamespace("ns" + (i % 20)).withName("svc-" + i)
                    .withLabels(Map.of("team", "t" + (i % 50), "tier", i % 3 == 0 ? "db" + (i % 50) : "web",
                            "app", "app-" + i)).endMetadata()
                    .withNewSpec().withType("LoadBalancer").withExternalTrafficPolicy(i % 4 == 0 ? "Local" : "Cluster")
                    .withExternalIPs(i % 7 == 0 ? List.of("198.51." + (i >> 8 & 255) + "." + (i & 255)) : List.of())
                    .endSpec()
                    .withNewStatus().withNewLoadBalancer().withIngress(new LoadBalancerIngressBuilder().withIp(lb).build())
                    .endLoadBalancer().endStatus();
            out.add(b.build());
        }
        return out;
    }

    static List<EndpointSlice> slices() {
        List<EndpointSlice> out = new ArrayList<>(SERVICES);
        for (int i = 0; i < SERVICES; i++) {
            EndpointSliceBuilder b = new EndpointSliceBuilder().withNewMetadata().withNamespace("ns" + (i % 20))
                    .withName("svc-" + i + "-x").addToLabels(KubernetesInputs.SERVICE_NAME_LABEL, "svc-" + i)
                    .endMetadata().withAddressType("IPv4");
            for (int e = 0; e < 3; e++) {
                b.addToEndpoints(new EndpointBuilder().withAddresses("10.244." + e + "." + (i & 255))
                        .withNodeName("node-" + ((i + e * 37) % NODES)).withNewConditions().withReady(e != 2)
                        .endConditions().build());
            }
            out.add(b.build());
        }
        return out;
    }

    static List<Node> nodes() {
        List<Node> out = new ArrayList<>();
        for (int n = 0; n < NODES; n++) {
            out.add(new NodeBuilder().withNewMetadata().withName("node-" + n)
                    .withLabels(Map.of("zone", "z" + (n % 5), "kubernetes.io/hostname", "node-" + n)).endMetadata()
                    .withNewSpec().withUnschedulable(n % 50 == 49).endSpec()
                    .withNewStatus().addNewCondition().withType("Ready").withStatus("True").endCondition().endStatus()
                    .build());
        }
        return out;
    }

    static final List<Device> DEVICES = List.of(device("eth0", 2), device("eth1", 3), device("bond0", 4),
            Scenario.loopback("lo", 1));

    /** What KubernetesSelectionSource does on every recompute: extract, validate, compute. */
    static SelectionSnapshot fullRecompute(List<CiliumL2AnnouncementPolicy> policies, List<Service> services,
                                           List<EndpointSlice> slices, List<Node> nodes) {
        List<ValidatedPolicy> validated = policies.stream().map(PolicyValidator::validate).toList();
        List<ServiceState> svc = services.stream().map(KubernetesInputs::service).toList();
        Map<ServiceRef, EndpointNodes> ready = KubernetesInputs.endpointNodes(slices);
        List<NodeState> ns = nodes.stream().map(KubernetesInputs::node).toList();
        return SelectionCalculator.compute(new SelectionInputs(validated, svc, ready, ns, "node-0", DEVICES,
                DeviceNameFilter.ALL, true, List.of(), Map.of()));
    }

    static SelectionInputs inputs(List<CiliumL2AnnouncementPolicy> policies, List<Service> services,
                                  List<EndpointSlice> slices, List<Node> nodes) {
        return new SelectionInputs(policies.stream().map(PolicyValidator::validate).toList(),
                services.stream().map(KubernetesInputs::service).toList(), KubernetesInputs.endpointNodes(slices),
                nodes.stream().map(KubernetesInputs::node).toList(), "node-0", DEVICES, DeviceNameFilter.ALL, true,
                List.of(), Map.of());
    }

    /** {@code in} as the agent sees it in steady state: every group's Lease exists as its holder wrote it. */
    static SelectionInputs withLeasesAsHoldersWrote(SelectionInputs in, SelectionSnapshot snapshot) {
        List<ExistingLease> leases = new ArrayList<>();
        Map<java.net.InetAddress, String> previous = new java.util.HashMap<>();
        long t = 1_700_000_000L;
        for (AnnouncementGroup g : snapshot.groups().values()) {
            leases.add(new ExistingLease(g.leaseName(), java.time.Instant.ofEpochSecond(t++),
                    LeaseAddresses.decode(LeaseAddresses.encode(g))));
            g.addresses().forEach(a -> previous.put(a.address(), g.leaseName()));
        }
        return new SelectionInputs(in.policies(), in.services(), in.endpointNodes(), in.nodes(), in.localNode(),
                in.localDevices(), in.devices(), in.enableExternalIps(), leases, previous);
    }

    static long usedAfterGc() {
        MemoryMXBean mem = ManagementFactory.getMemoryMXBean();
        long best = Long.MAX_VALUE;
        for (int i = 0; i < 5; i++) {
            System.gc();
            best = Math.min(best, mem.getHeapMemoryUsage().getUsed());
        }
        return best;
    }

    static double median(long[] nanos) {
        long[] s = nanos.clone();
        Arrays.sort(s);
        return (s.length % 2 == 1 ? s[s.length / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2.0) / 1e6;
    }

    @Test
    void tenThousandServicesFiftyPolicies() {
        List<CiliumL2AnnouncementPolicy> policies = policies();
        List<Service> services = services();
        List<EndpointSlice> slices = slices();
        List<Node> nodes = nodes();

        long[] calc = new long[RUNS];
        long[] leased = new long[RUNS];
        long[] full = new long[RUNS];
        SelectionInputs in = inputs(policies, services, slices, nodes);
        SelectionSnapshot first = SelectionCalculator.compute(in);
        SelectionInputs withLeases = withLeasesAsHoldersWrote(in, first);
        for (int i = 0; i < WARMUP; i++) {
            assertThat(SelectionCalculator.compute(in)).isEqualTo(first);
            assertThat(SelectionCalculator.compute(withLeases).groups().keySet()).isEqualTo(first.groups().keySet());
            fullRecompute(policies, services, slices, nodes);
        }
        for (int i = 0; i < RUNS; i++) {
            long t0 = System.nanoTime();
            SelectionSnapshot s = SelectionCalculator.compute(in);
            calc[i] = System.nanoTime() - t0;
            assertThat(s.version()).isEqualTo(first.version());
            t0 = System.nanoTime();
            SelectionCalculator.compute(withLeases);
            leased[i] = System.nanoTime() - t0;
            t0 = System.nanoTime();
            fullRecompute(policies, services, slices, nodes);
            full[i] = System.nanoTime() - t0;
        }

        in = null;
        first = null;
        long base = usedAfterGc();
        SelectionInputs retainedInputs = inputs(policies, services, slices, nodes);
        long withInputs = usedAfterGc();
        SelectionSnapshot retained = SelectionCalculator.compute(retainedInputs);
        long withSnapshot = usedAfterGc();

        int groups = retained.groups().size();
        long local = retained.groups().values().stream().filter(AnnouncementGroup::localCandidate).count();
        long members = retained.groups().values().stream().mapToLong(g -> g.services().size()).sum();
        System.out.printf("selection benchmark: %d services x %d policies x %d nodes, %d groups (%d services, "
                        + "%d local candidates)%n", SERVICES, POLICIES, NODES, groups, members, local);
        System.out.printf("  SelectionCalculator.compute: median %.1f ms, min %.1f ms, max %.1f ms over %d runs%n",
                median(calc), Arrays.stream(calc).min().orElseThrow() / 1e6,
                Arrays.stream(calc).max().orElseThrow() / 1e6, RUNS);
        System.out.printf("  compute with one existing Lease per group (naming reads %d Leases): median %.1f ms, "
                        + "min %.1f ms%n", withLeases.leases().size(), median(leased),
                Arrays.stream(leased).min().orElseThrow() / 1e6);
        System.out.printf("  full recompute (extract from API objects + validate + compute): median %.1f ms, "
                        + "min %.1f ms, max %.1f ms%n", median(full), Arrays.stream(full).min().orElseThrow() / 1e6,
                Arrays.stream(full).max().orElseThrow() / 1e6);
        System.out.printf("  system load average during the run: %.1f on %d cpus (other builds share the machine)%n",
                ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage(),
                Runtime.getRuntime().availableProcessors());
        System.out.printf("  retained heap (beyond the API objects informers cache anyway): inputs %.1f MiB, snapshot %.1f MiB (%d bytes/group)%n",
                (withInputs - base) / 1048576.0, (withSnapshot - withInputs) / 1048576.0,
                groups == 0 ? 0 : (withSnapshot - withInputs) / groups);
        assertThat(groups).isGreaterThan(8_000);
        assertThat(retained.version()).isNotZero();
        assertThat(retainedInputs.services()).hasSize(SERVICES);
    }
}
