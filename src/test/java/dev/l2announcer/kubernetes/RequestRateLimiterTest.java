package dev.l2announcer.kubernetes;

import dev.l2announcer.testing.MockApi;
import dev.l2announcer.time.ManualTime;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.http.BasicBuilder;
import io.fabric8.kubernetes.client.http.HttpRequest;
import io.fabric8.kubernetes.client.http.Interceptor;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.http.RecordedRequest;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** The token bucket, on a manual clock: waiting advances the clock instead of sleeping. */
class RequestRateLimiterTest {
    final ManualTime time = new ManualTime();
    final long start = time.nanoTime();

    RequestRateLimiter limiter(double qps, int burst, boolean mayBlock) {
        return new RequestRateLimiter(qps, burst, time, nanos -> time.advance(Duration.ofNanos(nanos)), () -> mayBlock);
    }

    static HttpRequest request(KubernetesClient client, String method, String path) {
        var b = client.getHttpClient().newHttpRequestBuilder().uri("http://127.0.0.1:1" + path);
        return switch (method) {
            case "GET" -> b.build();
            case "DELETE" -> b.delete("application/json", "{}").build();
            case "POST" -> b.post("application/json", "{}").build();
            default -> b.put("application/json", "{}").build();
        };
    }

    @Test
    void leaseRequestsOfTheElectionAreTheOnlyPriorityOnes() {
        var server = MockApi.start();
        try (KubernetesClient c = server.createClient()) {
            String lease = "/apis/coordination.k8s.io/v1/namespaces/kube-system/leases/cilium-l2announce-default-web";
            assertThat(RequestRateLimiter.isLeaseRequest(request(c, "PUT", lease))).isTrue();
            assertThat(RequestRateLimiter.isLeaseRequest(request(c, "GET", lease))).isTrue();
            assertThat(RequestRateLimiter.isLeaseRequest(request(c, "DELETE", lease))).isTrue();
            assertThat(RequestRateLimiter.isLeaseRequest(request(c, "POST", "/apis/coordination.k8s.io/v1/namespaces/kube-system/leases"))).isTrue();
            assertThat(RequestRateLimiter.isLeaseRequest(request(c, "GET", "/apis/coordination.k8s.io/v1/namespaces/kube-system/leases?watch=true"))).isFalse();
            assertThat(RequestRateLimiter.isLeaseRequest(request(c, "GET", "/apis/coordination.k8s.io/v1/namespaces/kube-system/leases"))).isFalse();
            assertThat(RequestRateLimiter.isLeaseRequest(request(c, "POST", "/apis/events.k8s.io/v1/namespaces/default/events"))).isFalse();
            assertThat(RequestRateLimiter.isLeaseRequest(request(c, "PUT", "/api/v1/namespaces/default/services/web"))).isFalse();
        } finally {
            server.destroy();
        }
    }

    /**
     * Renewals never wait behind other traffic: an event burst that empties the bucket delays the next ordinary
     * request, not the renewal (before: the renewal waited in line and missed its deadline at ~40 leases / 10 qps).
     */
    @Test
    void renewalsDoNotWaitOtherRequestsPayTheirDebt() {
        var server = MockApi.start();
        try (KubernetesClient c = server.createClient()) {
            RequestRateLimiter l = new RequestRateLimiter(1, 1, time, nanos -> time.advance(Duration.ofNanos(nanos)), () -> true,
                    RequestRateLimiter::isLeaseRequest);
            HttpRequest event = request(c, "POST", "/apis/events.k8s.io/v1/namespaces/default/events");
            HttpRequest renew = request(c, "PUT", "/apis/coordination.k8s.io/v1/namespaces/kube-system/leases/cilium-l2announce-default-web");
            l.before(null, event, null);   // the burst token
            l.before(null, event, null);   // waits 1 s
            long t = time.nanoTime();
            l.before(null, renew, null);   // would wait 1 s: does not
            assertThat(time.nanoTime()).isEqualTo(t);
            l.before(null, event, null);   // pays for the renewal's token too
            assertThat(time.nanoTime() - t).isEqualTo(Duration.ofSeconds(2).toNanos());
        } finally {
            server.destroy();
        }
    }

    @Test
    void burstIsFreeThenOneRequestPerInterval() {
        RequestRateLimiter l = limiter(5, 10, true);
        List<Long> waits = new ArrayList<>();
        for (int i = 0; i < 30; i++) {
            long w = l.reserve();
            waits.add(w);
            time.advance(Duration.ofNanos(w));
        }
        assertThat(waits.subList(0, 10)).containsOnly(0L);
        assertThat(waits.subList(10, 30)).containsOnly(200_000_000L);
        assertThat(time.nanoTime() - start).isEqualTo(Duration.ofSeconds(4).toNanos()); // (30 - 10) / 5 qps
    }

    @Test
    void idleTimeRefillsUpToBurstOnly() {
        RequestRateLimiter l = limiter(2, 3, true);
        for (int i = 0; i < 3; i++) {
            assertThat(l.reserve()).isZero();
        }
        time.advance(Duration.ofHours(1));
        for (int i = 0; i < 3; i++) {
            assertThat(l.reserve()).isZero();
        }
        assertThat(l.reserve()).isEqualTo(500_000_000L);
    }

    @Test
    void requestsThatMustNotBlockStillConsumeTokens() {
        RequestRateLimiter l = limiter(1, 1, false);
        l.before(null, null, null);
        l.before(null, null, null); // event-loop caller: no wait, but goes into debt
        assertThat(time.nanoTime()).isEqualTo(start);
        assertThat(l.reserve()).isEqualTo(2_000_000_000L); // the next one pays for both
    }

    /**
     * Through a real fabric8 client against the mock API server: N requests reach the server, and the
     * (manual) time they needed is what the bucket implies; in every 1 s window at most
     * burst + qps requests were sent.
     */
    @Test
    void limitsTheRealClientsRequestRate() throws Exception {
        var server = MockApi.start();
        try (KubernetesClient plain = server.createClient()) {
            plain.configMaps().inNamespace("default").resource(new ConfigMapBuilder().withNewMetadata()
                    .withName("cm").endMetadata().build()).create();
            while (server.takeRequest(10, TimeUnit.MILLISECONDS) != null) {
                // drain the set-up request
            }
            List<Long> sentAt = new ArrayList<>();
            RequestRateLimiter l = limiter(10, 5, true);
            Interceptor probe = new Interceptor() {
                @Override
                public void before(BasicBuilder b, HttpRequest r, RequestTags t) {
                    sentAt.add(time.nanoTime());
                }
            };
            try (KubernetesClient limited = new io.fabric8.kubernetes.client.KubernetesClientBuilder()
                    .withConfig(plain.getConfiguration())
                    .withHttpClientBuilderConsumer(h -> h.addOrReplaceInterceptor(RequestRateLimiter.NAME, l)
                            .addOrReplaceInterceptor("probe", probe))
                    .build()) {
                int n = 25;
                for (int i = 0; i < n; i++) {
                    assertThat(limited.configMaps().inNamespace("default").withName("cm").get()).isNotNull();
                }
                int received = 0;
                RecordedRequest r;
                while ((r = server.takeRequest(10, TimeUnit.MILLISECONDS)) != null) {
                    if (r.getMethod().equals("GET") && r.getPath().endsWith("/configmaps/cm")) {
                        received++;
                    }
                }
                assertThat(received).isEqualTo(n);
                assertThat(sentAt).hasSize(n);
                assertThat(time.nanoTime() - start).isEqualTo(Duration.ofSeconds(2).toNanos()); // (25 - 5) / 10 qps
                for (int i = 0; i < n; i++) {
                    long from = sentAt.get(i);
                    long inWindow = sentAt.stream().filter(t -> t >= from && t < from + 1_000_000_000L).count();
                    assertThat(inWindow).isLessThanOrEqualTo(5 + 10);
                }
            }
        } finally {
            server.destroy();
        }
    }
}
