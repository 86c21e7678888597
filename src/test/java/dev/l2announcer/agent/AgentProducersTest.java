package dev.l2announcer.agent;

import dev.l2announcer.config.AgentConfig;
import dev.l2announcer.testing.MockApi;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;

import java.time.Duration;

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
            var selection = producers.selection(config, client, datapath);
            AgentRuntime agent = producers.agent(config, client, new SimpleMeterRegistry(), datapath, selection);
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
}
