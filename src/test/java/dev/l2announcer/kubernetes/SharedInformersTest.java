package dev.l2announcer.kubernetes;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import org.junit.jupiter.api.Test;

class SharedInformersTest {
    /**
     * An agent that starts while the API server is down: its informers' first list fails. fabric8 7's default
     * stops such an informer for good (the agent never became ready); ours retry until the server is back.
     */
    @Test
    void anInformerWhoseFirstListFailsIsRetriedUntilTheApiServerIsBack() throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        KubernetesMockServer server = new KubernetesMockServer(new Context(), new MockWebServer(), new HashMap<>(),
                new KubernetesCrudDispatcher(List.of()), false);
        try (KubernetesClient client = new KubernetesClientBuilder().withConfig(new ConfigBuilder()
                .withMasterUrl("http://127.0.0.1:" + port).withRequestRetryBackoffLimit(0).build()).build();
             SharedInformers informers = new SharedInformers(client, "kube-system")) {
            var nodes = informers.nodes();
            var started = informers.start();
            Thread.sleep(1500); // several refused lists
            assertThat(nodes.hasSynced()).isFalse();
            server.init(InetAddress.getLoopbackAddress(), port);
            try (KubernetesClient admin = server.createClient()) {
                admin.nodes().resource(new NodeBuilder().withNewMetadata().withName("n1").endMetadata().build()).create();
            }
            await().atMost(Duration.ofSeconds(30)).until(nodes::hasSynced);
            await().atMost(Duration.ofSeconds(5)).until(() -> nodes.getStore().list().size() == 1);
            assertThat(started).succeedsWithin(Duration.ofSeconds(5));
            assertThat(informers.synced()).isTrue();
        } finally {
            server.destroy();
        }
    }

    @Test
    void eachKindIsOneInformerWhoeverAsks() {
        KubernetesMockServer server = dev.l2announcer.testing.MockApi.start();
        try (KubernetesClient client = server.createClient(); SharedInformers informers = new SharedInformers(client, "kube-system")) {
            assertThat(informers.leases()).isSameAs(informers.leases());
            assertThat(informers.nodes()).isSameAs(informers.nodes());
            assertThat(informers.policies()).isSameAs(informers.policies());
            assertThat(informers.kinds()).containsExactly("leases", "nodes", "policies");
        } finally {
            server.destroy();
        }
    }
}
