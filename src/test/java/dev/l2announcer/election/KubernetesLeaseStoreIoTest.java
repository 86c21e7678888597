package dev.l2announcer.election;

import dev.l2announcer.selection.LeaseNames;
import dev.l2announcer.time.Ticker;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.http.BasicBuilder;
import io.fabric8.kubernetes.client.http.HttpRequest;
import io.fabric8.kubernetes.client.http.Interceptor;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The store's blocking requests: at most {@code ioThreads} in flight, the rest wait their turn, and no
 * platform thread is kept per request slot (a fixed pool of 8 kept all 8 threads alive in every agent,
 * issue 17's thread budget). Each request is held in the client until IO of them overlapped once.
 */
class KubernetesLeaseStoreIoTest {
    static final int IO = 3;

    KubernetesMockServer server;
    KubernetesClient client;
    final AtomicInteger inFlight = new AtomicInteger();
    final AtomicInteger maxInFlight = new AtomicInteger();
    final Set<String> requestThreads = ConcurrentHashMap.newKeySet();
    final AtomicInteger virtualRequests = new AtomicInteger();

    @BeforeEach
    void start() {
        server = new KubernetesMockServer(true);
        server.init();
        Config config = new ConfigBuilder(server.createClient().getConfiguration()).build();
        Interceptor slow = new Interceptor() {
            @Override
            public void before(BasicBuilder builder, HttpRequest request, RequestTags tags) {
                if (!request.uri().getPath().contains("/leases/")) {
                    return; // the informer's list and watch
                }
                requestThreads.add(Thread.currentThread().getName());
                if (Thread.currentThread().isVirtual()) {
                    virtualRequests.incrementAndGet();
                }
                int now = inFlight.incrementAndGet();
                maxInFlight.accumulateAndGet(now, Math::max);
                try {
                    // Held until the store let IO requests overlap once (bounded), so the bound is reached for sure.
                    long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
                    while (maxInFlight.get() < IO && System.nanoTime() < until) {
                        Thread.sleep(5);
                    }
                    Thread.sleep(20);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                } finally {
                    inFlight.decrementAndGet();
                }
            }
        };
        client = new KubernetesClientBuilder().withConfig(config)
                .withHttpClientBuilderConsumer(h -> h.addOrReplaceInterceptor("slow", slow)).build();
    }

    @AfterEach
    void stop() {
        client.close();
        server.destroy();
    }

    @Test
    void requestsRunOnVirtualThreadsAtMostIoThreadsAtOnce() throws Exception {
        List<String> platformBefore = platformThreadNames();
        try (KubernetesLeaseStore store = new KubernetesLeaseStore(client, "kube-system", LeaseNames.NAME_PREFIX,
                Duration.ofSeconds(5), IO, Ticker.system())) {
            List<CompletableFuture<LeaseStore.Result>> calls = new ArrayList<>();
            for (int i = 0; i < 12; i++) {
                calls.add(store.get(LeaseNames.NAME_PREFIX + "default-svc-" + i).toCompletableFuture());
            }
            CompletableFuture.allOf(calls.toArray(CompletableFuture[]::new)).get(30, TimeUnit.SECONDS);
            assertThat(calls).allMatch(c -> c.join().outcome() == LeaseStore.Outcome.NOT_FOUND);
            assertThat(maxInFlight.get()).as("requests in flight at once").isEqualTo(IO);
            assertThat(virtualRequests.get()).as("requests sent from virtual threads").isEqualTo(12);
            assertThat(requestThreads).allMatch(n -> n.startsWith("l2a-election-io-"));
            assertThat(platformThreadNames()).as("no platform thread per request slot")
                    .noneMatch(n -> n.startsWith("l2a-election-io") && !platformBefore.contains(n));
        }
    }

    private static List<String> platformThreadNames() {
        return Thread.getAllStackTraces().keySet().stream().filter(t -> !t.isVirtual()).map(Thread::getName).toList();
    }
}
