package dev.l2announcer.observability;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/** The shipped dashboard queries exactly the documented metrics (no typo'd name renders an empty panel). */
class GrafanaDashboardTest {
    /** The README's metric table: the agent's own and the election engine's. */
    static final Set<String> DOCUMENTED = Set.of(
            "l2announcer_announcements_active", "l2announcer_garp_sent_total", "l2announcer_arp_responses_total",
            "l2announcer_responder_map_entries", "l2announcer_datapath_errors_total", "l2announcer_stale_bpf_state",
            "l2announcer_policies_with_errors", "l2announcer_reconcile_seconds", "l2announcer_announce_failures",
            "l2announcer_lease_transitions_total", "l2announcer_leases_held", "l2announcer_lease_candidates",
            "l2announcer_lease_acquire_seconds", "l2announcer_lease_renew_failures_total", "l2announcer_api_requests_total",
            "l2announcer_vip_probe_seconds", "l2announcer_vip_probe_failures_total");

    /** Metrics with a {@code family} label (ipv4 / ipv6): a panel that sums them away would hide one family. */
    static final Set<String> BY_FAMILY = Set.of("l2announcer_garp_sent_total", "l2announcer_arp_responses_total",
            "l2announcer_responder_map_entries", "l2announcer_vip_probe_seconds", "l2announcer_vip_probe_failures_total");

    @Test
    void everyDocumentedMetricIsChartedAndNothingElse() throws Exception {
        JsonNode dash = new ObjectMapper().readTree(Path.of("deploy/grafana/l2-announcer-dashboard.json").toFile());
        assertThat(dash.get("uid").asText()).isEqualTo("l2-announcer");
        Set<String> used = new TreeSet<>();
        Pattern metric = Pattern.compile("l2announcer_[a-z_]+");
        for (JsonNode panel : dash.get("panels")) {
            for (JsonNode t : panel.path("targets")) {
                Matcher m = metric.matcher(t.get("expr").asText());
                while (m.find()) {
                    used.add(m.group().replaceAll("_bucket$", ""));
                }
            }
        }
        assertThat(used).containsExactlyInAnyOrderElementsOf(DOCUMENTED);
    }

    @Test
    void familyLabelledMetricsAreChartedPerFamily() throws Exception {
        JsonNode dash = new ObjectMapper().readTree(Path.of("deploy/grafana/l2-announcer-dashboard.json").toFile());
        Pattern by = Pattern.compile("by \\(([^)]*)\\)");
        Set<String> seen = new TreeSet<>();
        for (JsonNode panel : dash.get("panels")) {
            for (JsonNode t : panel.path("targets")) {
                String expr = t.get("expr").asText();
                for (String m : BY_FAMILY) {
                    if (expr.contains(m)) {
                        seen.add(m);
                        Matcher g = by.matcher(expr);
                        assertThat(g.find() && g.group(1).contains("family")).as(panel.get("title").asText() + ": " + expr).isTrue();
                        assertThat(t.get("legendFormat").asText()).contains("{{family}}");
                    }
                }
            }
        }
        assertThat(seen).containsExactlyInAnyOrderElementsOf(BY_FAMILY);
    }
}
