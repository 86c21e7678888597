package dev.l2announcer.kubernetes;

import dev.l2announcer.config.AgentConfig;
import dev.l2announcer.policy.CiliumL2AnnouncementPolicy;
import dev.l2announcer.policy.L2AnnouncementPolicySpec;
import io.fabric8.kubernetes.api.model.LabelSelectorBuilder;
import io.fabric8.kubernetes.api.model.LabelSelectorRequirement;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import org.awaitility.Awaitility;
import java.time.Duration;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.kubernetes.client.WithKubernetesTestServer;
import io.vertx.core.Vertx;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** The one @QuarkusTest of the foundation: the app starts (config loaded once) on native epoll, reconciler registered. */
@QuarkusTest
@WithKubernetesTestServer(crud = true)
class AgentStartupTest {
    @Inject
    Vertx vertx;
    @Inject
    AgentConfig config;
    @Inject
    KubernetesClient client;

    @Test
    void vertxRunsOnNativeEpollAndConfigIsLoaded() {
        assertThat(vertx.isNativeTransportEnabled())
                .as("native transport unavailable: %s", vertx.unavailableNativeTransportCause())
                .isTrue();
        assertThat(config.leaseDuration()).isEqualTo(java.time.Duration.ofSeconds(15));
        assertThat(config.nodeName()).isNotEmpty();
    }

    /** The reconciler is registered with JOSDK in the app: a bad policy gets its condition, no finalizer. */
    @Test
    void registeredReconcilerWritesStatusWithoutFinalizer() {
        var p = new CiliumL2AnnouncementPolicy();
        p.setMetadata(new ObjectMetaBuilder().withName("quarkus-bad").build());
        var spec = new L2AnnouncementPolicySpec();
        spec.setNodeSelector(new LabelSelectorBuilder()
                .withMatchExpressions(new LabelSelectorRequirement("k", "In", null)).build());
        p.setSpec(spec);
        client.resource(p).create();
        var policies = client.resources(CiliumL2AnnouncementPolicy.class).withName("quarkus-bad");
        Awaitility.await().atMost(Duration.ofSeconds(60)).until(() -> {
            var s = policies.get().getStatus();
            return s != null && !s.getConditions().isEmpty();
        });
        var stored = policies.get();
        assertThat(stored.getStatus().getConditions().getFirst().getType()).isEqualTo("io.cilium/bad-node-selector");
        assertThat(stored.getMetadata().getFinalizers()).isNullOrEmpty();
    }
}
