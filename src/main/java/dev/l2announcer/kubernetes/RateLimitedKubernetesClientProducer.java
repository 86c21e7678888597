package dev.l2announcer.kubernetes;

import dev.l2announcer.config.AgentConfig;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import jakarta.enterprise.inject.Disposes;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;

/**
 * The one KubernetesClient of the agent (used by JOSDK and every informer), built like Quarkus's
 * default producer (same Config, serialization and Vert.x HTTP client factory) plus the
 * {@code k8s-client-qps}/{@code k8s-client-burst} rate limit. Replaces Quarkus's {@code @DefaultBean}.
 */
@Singleton
public class RateLimitedKubernetesClientProducer {

    @Produces
    @Singleton
    KubernetesClient kubernetesClient(KubernetesSerialization serialization, Config config, AgentConfig agent) {
        RequestRateLimiter limiter = RequestRateLimiter.of(agent.k8sClientQps(), agent.k8sClientBurst());
        return build(config, serialization, limiter);
    }

    static KubernetesClient build(Config config, KubernetesSerialization serialization, RequestRateLimiter limiter) {
        return new KubernetesClientBuilder().withConfig(config)
                .withKubernetesSerialization(serialization)
                .withHttpClientBuilderConsumer(h -> h.addOrReplaceInterceptor(RequestRateLimiter.NAME, limiter))
                .build();
    }

    void close(@Disposes KubernetesClient client) {
        client.close();
    }
}
