package dev.l2announcer.agent;

import dev.l2announcer.config.AgentConfig;
import dev.l2announcer.config.AgentConfigLoader;
import dev.l2announcer.testing.MockApi;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.http.RecordedRequest;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** The composition root's own resources end with the agent. */
class AgentProducersTest {

    @Test
    void stopShutsDownTheSelectionThreadAndEndsLinkSubscriptions() {
        var server = MockApi.start();
        try (KubernetesClient client = server.createClient()) {
            AgentConfig config = AgentConfig.defaults("node-a");
            var producers = new AgentProducers();
            var datapath = new InMemoryNodeDatapath();
            var informers = producers.informers(config, client);
            var selection = producers.selection(config, client, datapath, informers);
            AgentRuntime agent = producers.agent(config, client, new SimpleMeterRegistry(), datapath, selection, informers);
            agent.start();
            await().atMost(Duration.ofSeconds(15)).until(() -> agent.notReadyReasons().isEmpty());
            assertThat(datapath.devices.subscribers()).as("selection, reconciler and lease-holder hook follow the links").isPositive();

            agent.stop(Duration.ofSeconds(5));

            assertThat(producers.selectionThread.isShutdown()).isTrue();
            // The reconciler ends its subscription on its own thread (ResponderReconciler.close is async).
            await().atMost(Duration.ofSeconds(5)).untilAsserted(
                    () -> assertThat(datapath.devices.subscribers()).isZero());
        } finally {
            server.destroy();
        }
    }

    /**
     * One watch per kind per agent (before: Leases and Nodes twice, policies three times, so every renew fanned
     * out to two watches of every agent): the agent and its health monitor started, the watch requests counted.
     */
    @Test
    void theAgentAndItsHealthMonitorWatchEachKindOnce() throws Exception {
        var server = MockApi.start();
        List<String> seen = new CopyOnWriteArrayList<>();
        try (KubernetesClient client = server.createClient()) {
            AgentConfig config = AgentConfig.defaults("node-a");
            var producers = new AgentProducers();
            var datapath = new InMemoryNodeDatapath();
            var informers = producers.informers(config, client);
            var selection = producers.selection(config, client, datapath, informers);
            AgentRuntime agent = producers.agent(config, client, new SimpleMeterRegistry(), datapath, selection, informers);
            var health = dev.l2announcer.health.HealthMonitor.forAgent(config, informers, selection, datapath.devices(),
                    new SimpleMeterRegistry(), (svc, reason, note) -> { }, java.time.Clock.systemUTC(),
                    dev.l2announcer.time.Ticker.system());
            agent.start();
            try {
                await().atMost(Duration.ofSeconds(15)).until(() -> agent.notReadyReasons().isEmpty());
                await().atMost(Duration.ofSeconds(5)).until(() -> drain(server, seen).stream()
                        .filter(p -> p.contains("watch=true")).count() >= 5);
                Thread.sleep(300); // a sixth watch, if any, would start by now
                drain(server, seen);
            } finally {
                agent.stop(Duration.ofSeconds(5));
                health.close();
                informers.close();
            }
            java.util.Map<String, Long> watchesByKind = seen.stream().filter(p -> p.contains("watch=true"))
                    .map(p -> p.replaceAll("\\?.*", "").replaceAll(".*/", ""))
                    .collect(java.util.stream.Collectors.groupingBy(k -> k, java.util.stream.Collectors.counting()));
            assertThat(watchesByKind).containsOnly(java.util.Map.entry("leases", 1L), java.util.Map.entry("nodes", 1L),
                    java.util.Map.entry("ciliuml2announcementpolicies", 1L), java.util.Map.entry("services", 1L),
                    java.util.Map.entry("endpointslices", 1L));
        } finally {
            server.destroy();
        }
    }

    @Test
    void withAnnouncementsDisabledNoLeaseIsListedOrWatched() throws Exception {
        AgentConfig disabled = AgentConfigLoader.load(List.of("--enable-l2-announcements=false"), Map.of(), "node-a");
        assertThat(leaseRequestsOfAStartedAgent(disabled)).isEmpty();
    }

    @Test
    void withAnnouncementsEnabledTheLeasesAreWatched() throws Exception {
        // The control for the test above: the same request log does show the election engine's informer.
        assertThat(leaseRequestsOfAStartedAgent(AgentConfig.defaults("node-a"))).isNotEmpty();
    }

    /** Starts the agent, waits until it is ready, stops it and returns the paths of its requests for leases. */
    private static List<String> leaseRequestsOfAStartedAgent(AgentConfig config) throws Exception {
        var server = MockApi.start();
        List<String> seen = new CopyOnWriteArrayList<>();
        try (KubernetesClient client = server.createClient()) {
            var producers = new AgentProducers();
            var datapath = new InMemoryNodeDatapath();
            var informers = producers.informers(config, client);
            AgentRuntime agent = producers.agent(config, client, new SimpleMeterRegistry(), datapath,
                    producers.selection(config, client, datapath, informers), informers);
            agent.start();
            try {
                await().atMost(Duration.ofSeconds(15)).until(() -> agent.notReadyReasons().isEmpty());
                if (config.enableL2Announcements()) {
                    // The engine's informer lists asynchronously; disabled, there is nothing to wait for.
                    await().atMost(Duration.ofSeconds(15)).until(
                            () -> drain(server, seen).stream().anyMatch(AgentProducersTest::isLeaseRequest));
                }
            } finally {
                agent.stop(Duration.ofSeconds(5));
            }
            // A marker of our own: proves the log records this client's requests (the disabled agent makes none).
            client.configMaps().inNamespace("marker").list();
            assertThat(drain(server, seen)).anyMatch(r -> r.contains("/namespaces/marker/configmaps"));
            return seen.stream().filter(AgentProducersTest::isLeaseRequest).toList();
        } finally {
            server.destroy();
        }
    }

    /** Moves the server's recorded requests ("METHOD path") into {@code seen} (takeRequest consumes them). */
    private static List<String> drain(KubernetesMockServer server, List<String> seen) throws InterruptedException {
        RecordedRequest r;
        while ((r = server.takeRequest(1, TimeUnit.MILLISECONDS)) != null) {
            seen.add(r.getMethod() + " " + r.getPath());
        }
        return seen;
    }

    private static boolean isLeaseRequest(String request) {
        return request.contains("/apis/coordination.k8s.io/") && request.contains("/leases");
    }
}
