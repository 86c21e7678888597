package dev.l2announcer.announce;

import dev.l2announcer.datapath.fake.FakeNeighbourAnnouncer;
import dev.l2announcer.datapath.fake.FakeResponderMap;
import dev.l2announcer.fakes.InMemoryLeases;
import dev.l2announcer.datapath.fake.Links;
import dev.l2announcer.observability.AnnouncerMetrics;
import dev.l2announcer.policy.CiliumL2AnnouncementPolicy;
import dev.l2announcer.policy.L2AnnouncementPolicySpec;
import dev.l2announcer.policy.PolicyValidator;
import dev.l2announcer.selection.DeviceNameFilter;
import dev.l2announcer.selection.InMemorySelectionSource;
import dev.l2announcer.selection.NodeState;
import dev.l2announcer.selection.SelectionCalculator;
import dev.l2announcer.selection.SelectionInputs;
import dev.l2announcer.selection.SelectionSnapshot;
import dev.l2announcer.selection.ServiceRef;
import dev.l2announcer.selection.ServiceState;
import dev.l2announcer.time.ManualTime;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.micrometer.prometheus.PrometheusConfig;
import io.micrometer.prometheus.PrometheusMeterRegistry;
import org.junit.jupiter.api.Test;

import java.net.InetAddress;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The chain from real selection output to what operators see, without hand-made snapshots: a candidate
 * node whose interfaces match no policy regex, for an IPv4 and an IPv6-only Service, reach {@link AnnouncementLoop#failures()}
 * ({@code dbg failures}), the report's new failures (the {@code L2AnnounceFailed} events, see
 * ServiceEventRecorderTest) and {@code l2announcer_announce_failures{reason}}.
 */
class SelectionFailuresChainTest {
    private final ManualTime time = new ManualTime();

    private static SelectionSnapshot selection() throws Exception {
        CiliumL2AnnouncementPolicy policy = new CiliumL2AnnouncementPolicy();
        policy.setMetadata(new ObjectMetaBuilder().withName("bond-only").withGeneration(1L).build());
        L2AnnouncementPolicySpec spec = new L2AnnouncementPolicySpec();
        spec.setLoadBalancerIPs(true);
        spec.setInterfaces(List.of("^bond[0-9]+$")); // the node has lo and eth0 only
        policy.setSpec(spec);
        List<ServiceState> services = List.of(
                new ServiceState(new ServiceRef("default", "web"), Map.of(), null, List.of(),
                        List.of(InetAddress.getByName("192.0.2.10")), false),
                new ServiceState(new ServiceRef("default", "v6"), Map.of(), null, List.of(),
                        List.of(InetAddress.getByName("2001:db8::10")), false));
        return SelectionCalculator.compute(new SelectionInputs(List.of(PolicyValidator.validate(policy)), services,
                Map.of(), List.of(new NodeState("n1", Map.of(), false, true, false)), "n1",
                List.of(Links.lo(), Links.eth0(1)), DeviceNameFilter.ALL, true, List.of(), Map.of()));
    }

    @Test
    void calculatorFailuresReachDbgFailuresEventsAndTheMetric() throws Exception {
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        FakeResponderMap map = new FakeResponderMap();
        AnnouncerMetrics metrics = new AnnouncerMetrics(registry, map, () -> 0, () -> 0);
        List<ReconcileReport> reports = new CopyOnWriteArrayList<>();
        InMemorySelectionSource source = new InMemorySelectionSource();
        AnnouncementLoop loop = new AnnouncementLoop("n1", source, new InMemoryLeases(time.wallClock()).node("n1"),
                new PortResponderSink(map, Links.loAndEth0(1), new FakeNeighbourAnnouncer()), r -> {
                    reports.add(r);
                    metrics.reconciled(r);
                }, time.wallClock(), time, Duration.ZERO);
        loop.start();
        try {
            source.set(selection());
            await().atMost(Duration.ofSeconds(5)).until(() -> loop.failures().size() == 2);
            loop.flush(Duration.ofSeconds(2));
            assertThat(loop.failures()).extracting(f -> f.services().getFirst().name() + " "
                            + dev.l2announcer.datapath.Addresses.format(f.ip()) + " " + f.reason())
                    .containsExactlyInAnyOrder("web 192.0.2.10 NO_USABLE_INTERFACE",
                            "v6 2001:db8::10 NO_USABLE_INTERFACE");
            assertThat(reports).flatExtracting(ReconcileReport::newFailures).extracting(AnnouncementFailure::reason)
                    .containsExactlyInAnyOrder(AnnouncementFailure.Reason.NO_USABLE_INTERFACE,
                            AnnouncementFailure.Reason.NO_USABLE_INTERFACE);
            assertThat(registry.scrape())
                    .containsPattern("l2announcer_announce_failures\\{reason=\"NoUsableInterface\",?} 2.0");
            assertThat(map.list()).isEmpty();
        } finally {
            loop.shutdown(Duration.ofSeconds(2));
        }
    }
}
