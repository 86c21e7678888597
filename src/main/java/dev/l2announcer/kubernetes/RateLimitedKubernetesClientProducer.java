package dev.l2announcer.kubernetes;

import dev.l2announcer.config.AgentConfig;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import jakarta.enterprise.inject.Disposes;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;

import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * The one KubernetesClient of the agent (used by JOSDK and every informer), built like Quarkus's
 * default producer (same Config, serialization and Vert.x HTTP client factory) plus the
 * {@code k8s-client-qps}/{@code k8s-client-burst} rate limit and a bounded callback pool.
 * Replaces Quarkus's {@code @DefaultBean}.
 */
@Singleton
public class RateLimitedKubernetesClientProducer {
    /**
     * Threads that run informer and watch callbacks (fabric8 still delivers each informer's events in
     * order). fabric8's default is an unbounded cached pool, one thread per busy informer (six in the
     * agent); every handler here only records the change and hands it to its owner's thread, so two do.
     */
    static final int CALLBACK_THREADS = 2;

    private final ExecutorService callbacks = Executors.newFixedThreadPool(CALLBACK_THREADS,
            Thread.ofPlatform().daemon().name("l2a-kube-callbacks-", 1).factory());

    @Produces
    @Singleton
    KubernetesClient kubernetesClient(KubernetesSerialization serialization, Config config, AgentConfig agent) {
        RequestRateLimiter limiter = RequestRateLimiter.of(agent.k8sClientQps(), agent.k8sClientBurst());
        return build(config, serialization, limiter, callbacks);
    }

    static KubernetesClient build(Config config, KubernetesSerialization serialization, RequestRateLimiter limiter,
                                  ExecutorService callbacks) {
        return new KubernetesClientBuilder().withConfig(config)
                .withKubernetesSerialization(serialization)
                .withHttpClientBuilderConsumer(h -> h.addOrReplaceInterceptor(RequestRateLimiter.NAME, limiter))
                // fabric8 never shuts a given executor down (derived clients share it): close() below does.
                .withTaskExecutor(callbacks)
                .build();
    }

    void close(@Disposes KubernetesClient client) {
        client.close();
        callbacks.shutdown();
    }
}
