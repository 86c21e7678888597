package dev.l2announcer.kubernetes;

import dev.l2announcer.config.AgentConfig;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.kubernetes.client.WithKubernetesTestServer;
import io.vertx.core.Vertx;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** The one @QuarkusTest of the foundation: the app starts (config loaded once) on native epoll. */
@QuarkusTest
@WithKubernetesTestServer(crud = true)
class NativeTransportTest {
    @Inject
    Vertx vertx;
    @Inject
    AgentConfig config;

    @Test
    void vertxRunsOnNativeEpollAndConfigIsLoaded() {
        assertThat(vertx.isNativeTransportEnabled())
                .as("native transport unavailable: %s", vertx.unavailableNativeTransportCause())
                .isTrue();
        assertThat(config.leaseDuration()).isEqualTo(java.time.Duration.ofSeconds(15));
        assertThat(config.nodeName()).isNotEmpty();
    }
}
