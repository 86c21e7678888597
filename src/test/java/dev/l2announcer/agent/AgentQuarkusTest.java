package dev.l2announcer.agent;

import dev.l2announcer.observability.DebugCli;
import dev.l2announcer.policy.CiliumL2AnnouncementPolicy;
import dev.l2announcer.policy.L2AnnouncementPolicySpec;
import io.fabric8.kubernetes.api.model.LoadBalancerIngressBuilder;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.kubernetes.client.WithKubernetesTestServer;
import io.restassured.RestAssured;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;

/**
 * The packaged wiring: Quarkus boots the agent (real selection, election, loop, metrics, events,
 * debug resource, health) against the mock API server with the in-memory datapath.
 */
@QuarkusTest
@WithKubernetesTestServer(crud = true)
class AgentQuarkusTest {
    /** The README's metric table. */
    static final List<String> DOCUMENTED = List.of(
            "l2announcer_announcements_active", "l2announcer_garp_sent_total", "l2announcer_arp_responses_total",
            "l2announcer_responder_map_entries", "l2announcer_datapath_errors_total", "l2announcer_stale_bpf_state",
            "l2announcer_policies_with_errors", "l2announcer_reconcile_seconds_bucket", "l2announcer_reconcile_seconds_count",
            "l2announcer_lease_transitions_total", "l2announcer_leases_held", "l2announcer_lease_candidates",
            "l2announcer_lease_acquire_seconds_bucket", "l2announcer_lease_renew_failures_total",
            "l2announcer_api_requests_total", "l2announcer_lease_renew_budget_ratio");

    @Inject
    KubernetesClient client;
    @Inject
    AgentRuntime agent;
    @Inject
    InMemoryNodeDatapath datapath;

    private String cli(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        List<String> a = new java.util.ArrayList<>(List.of(args));
        a.addAll(List.of("--port", String.valueOf(RestAssured.port)));
        int code = DebugCli.run(a, new PrintStream(out, true, StandardCharsets.UTF_8), System.err);
        assertThat(code).as("dbg exit code").isIn(0, 3);
        return out.toString(StandardCharsets.UTF_8);
    }

    @Test
    void announcesAServiceAndShowsItInMetricsDebugViewsAndEvents() {
        String node = agent.config().nodeName();
        client.nodes().resource(new NodeBuilder().withNewMetadata().withName(node).endMetadata()
                .withNewStatus().addNewCondition().withType("Ready").withStatus("True").endCondition().endStatus()
                .build()).create();
        var p = new CiliumL2AnnouncementPolicy();
        p.setMetadata(new ObjectMetaBuilder().withName("quarkus-all").build());
        var spec = new L2AnnouncementPolicySpec();
        spec.setLoadBalancerIPs(true);
        p.setSpec(spec);
        client.resource(p).create();
        client.services().resource(new ServiceBuilder()
                .withNewMetadata().withNamespace("default").withName("quarkus-web").endMetadata()
                .withNewSpec().withType("LoadBalancer").addNewPort().withPort(80).endPort().endSpec()
                .withNewStatus().withNewLoadBalancer()
                .addToIngress(new LoadBalancerIngressBuilder().withIp("192.0.2.77").build())
                .endLoadBalancer().endStatus().build()).create();

        await().atMost(Duration.ofSeconds(30)).until(() -> datapath.map.list().keySet().stream()
                .anyMatch(e -> e.ip().getHostAddress().equals("192.0.2.77")));
        assertThat(datapath.program.attachedInterfaces()).containsExactly("eth0");

        // The gratuitous ARP follows the map write (answer first, then announce), so its counter may lag the entry.
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
            String metrics = given().get("/q/metrics").then().statusCode(200).extract().asString();
            for (String name : DOCUMENTED) {
                assertThat(metrics).as(name).contains(name);
            }
        });
        await().atMost(Duration.ofSeconds(10)).until(() -> given().get("/q/metrics").asString()
                .contains("l2announcer_announcements_active 1.0"));

        String table = cli("announcements");
        assertThat(table).contains("192.0.2.77", "eth0", "default/quarkus-web", "cilium-l2announce-default-quarkus-web");
        assertThat(cli("responders")).contains("192.0.2.77", "eth0");
        assertThat(cli("leases")).contains("cilium-l2announce-default-quarkus-web", "held");
        assertThat(cli("config", "-o", "json")).contains("\"EnableL2Announcements\"");
        assertThat(cli("doctor")).contains("config.lease-timings", "rbac.");

        await().atMost(Duration.ofSeconds(10)).until(() -> client.resources(io.fabric8.kubernetes.api.model.events.v1.Event.class)
                .inNamespace("default").list().getItems().stream()
                .anyMatch(e -> e.getReason().equals("L2Announced") && e.getNote().contains("192.0.2.77")));
    }

    @Test
    void healthLiveAndReady() {
        given().get("/q/health/live").then().statusCode(200).body(containsString("UP"));
        await().atMost(Duration.ofSeconds(30)).until(() -> given().get("/q/health/ready").statusCode() == 200);
    }

    @Test
    void debugViewsAnswerLocalhostAndUnknownViewsAre404() {
        given().get("/debug/config").then().statusCode(200).body(containsString("KubeProxyReplacement"));
        given().get("/debug/nope").then().statusCode(404);
        given().get("/debug/health").then().statusCode(200).body(containsString("Probe time:"));
    }
}
