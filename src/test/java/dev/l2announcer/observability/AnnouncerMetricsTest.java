package dev.l2announcer.observability;

import dev.l2announcer.announce.AnnouncementFailure;
import dev.l2announcer.announce.AnnouncementRow;
import dev.l2announcer.announce.AnnouncementTable;
import dev.l2announcer.announce.ReconcileReport;
import dev.l2announcer.datapath.Device;
import dev.l2announcer.datapath.MacAddress;
import dev.l2announcer.datapath.ResponderEntry;
import dev.l2announcer.datapath.fake.FakeResponderMap;
import dev.l2announcer.datapath.fake.FakeNeighbourAnnouncer;
import dev.l2announcer.selection.ServiceRef;
import io.micrometer.prometheus.PrometheusConfig;
import io.micrometer.prometheus.PrometheusMeterRegistry;
import org.junit.jupiter.api.Test;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

class AnnouncerMetricsTest {
    @Test
    void prometheusScrapeHasTheDocumentedNamesAndValues() throws Exception {
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        FakeResponderMap map = new FakeResponderMap();
        Inet4Address ip = (Inet4Address) InetAddress.getByName("192.0.2.10");
        ResponderEntry e = new ResponderEntry(ip, 2);
        map.put(e);
        for (int i = 0; i < 7; i++) {
            map.answered(e);
        }
        ResponderEntry e6 = new ResponderEntry(InetAddress.getByName("2001:db8::10"), 2);
        map.put(e6);
        for (int i = 0; i < 3; i++) {
            map.answered(e6);
        }
        AnnouncerMetrics m = new AnnouncerMetrics(registry, map, () -> 1, () -> 2);
        Device eth0 = new Device(2, "eth0", MacAddress.parse("02:00:5e:00:00:01"), true, false, "up", "veth", 0);
        m.counting(new FakeNeighbourAnnouncer()).announce(eth0, ip);
        m.counting(new FakeNeighbourAnnouncer()).announce(eth0, ip);
        m.counting(new FakeNeighbourAnnouncer()).announce(eth0, e6.ip());
        AnnouncementRow row = new AnnouncementRow(ip, "eth0", List.of(new ServiceRef("default", "a")), "l", Instant.EPOCH);
        m.reconciled(new ReconcileReport(new AnnouncementTable(List.of(row)), Set.of(), Set.of(), List.of(),
                List.of(new AnnouncementFailure("l", List.of(new ServiceRef("default", "a")), InetAddress.getByName("2001:db8::1"),
                        "", AnnouncementFailure.Reason.NO_USABLE_INTERFACE)),
                List.of(), 1, Duration.ofMillis(3)));

        String scrape = registry.scrape();
        assertThat(scrape)
                .contains("l2announcer_announcements_active 1.0")
                .containsPattern("l2announcer_garp_sent_total\\{family=\"ipv4\",interface=\"eth0\",?} 2.0")
                .containsPattern("l2announcer_garp_sent_total\\{family=\"ipv6\",interface=\"eth0\",?} 1.0")
                .containsPattern("l2announcer_arp_responses_total\\{family=\"ipv4\",?} 7.0")
                .containsPattern("l2announcer_arp_responses_total\\{family=\"ipv6\",?} 3.0")
                .containsPattern("l2announcer_responder_map_entries\\{family=\"ipv4\",?} 1.0")
                .containsPattern("l2announcer_responder_map_entries\\{family=\"ipv6\",?} 1.0")
                .contains("l2announcer_datapath_errors_total 1.0")
                .contains("l2announcer_stale_bpf_state 1.0")
                .contains("l2announcer_policies_with_errors 2.0")
                .contains("l2announcer_reconcile_seconds_bucket")
                .contains("l2announcer_reconcile_seconds_count 1.0")
                .containsPattern("l2announcer_announce_failures\\{reason=\"NoUsableInterface\",?} 1.0");

        map.delete(e);
        assertThat(registry.scrape()).containsPattern("l2announcer_arp_responses_total\\{family=\"ipv4\",?} 7.0")
                .containsPattern("l2announcer_responder_map_entries\\{family=\"ipv4\",?} 0.0")
                .containsPattern("l2announcer_responder_map_entries\\{family=\"ipv6\",?} 1.0");
    }

    /**
     * The agent passes lambdas that capture its runtime and keeps no other reference to them (the e2e fault suite
     * read NaN for the renew budget): a garbage collection must not turn the gauges to NaN.
     */
    @Test
    void gaugesOfSuppliedLambdasSurviveGarbageCollection() {
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        int[] stale = {3};
        int[] errors = {4};
        double[] ratio = {0.5};
        AnnouncerMetrics m = new AnnouncerMetrics(registry, new FakeResponderMap(), () -> stale[0], () -> errors[0]);
        m.watchRenewBudget(() -> ratio[0]);
        collectGarbage();
        assertThat(registry.scrape())
                .contains("l2announcer_stale_bpf_state 3.0")
                .contains("l2announcer_policies_with_errors 4.0")
                .contains("l2announcer_lease_renew_budget_ratio 0.5");
    }

    /** Until an object only weakly reachable has been collected (bounded). */
    private static void collectGarbage() {
        java.lang.ref.WeakReference<Object> canary = new java.lang.ref.WeakReference<>(new Object());
        for (int i = 0; i < 50 && canary.get() != null; i++) {
            System.gc();
        }
        assertThat(canary.get()).as("a garbage collection ran").isNull();
    }
}
