package dev.l2announcer.election;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The engine's meters. Micrometer names map to the Prometheus names l2announcer_lease_transitions_total{outcome},
 * l2announcer_leases_held, l2announcer_lease_candidates, l2announcer_lease_acquire_seconds (histogram),
 * l2announcer_lease_renew_failures_total and l2announcer_api_requests_total{verb}. No per-lease labels: the
 * cardinality is fixed (3 outcomes, 4 verbs).
 */
final class ElectionMetrics {
    static final String TRANSITIONS = "l2announcer.lease.transitions";
    static final String HELD = "l2announcer.leases.held";
    static final String CANDIDATES = "l2announcer.lease.candidates";
    static final String ACQUIRE = "l2announcer.lease.acquire";
    static final String RENEW_FAILURES = "l2announcer.lease.renew.failures";
    static final String API_REQUESTS = "l2announcer.api.requests";

    final Counter acquired;
    final Counter lost;
    final Counter released;
    final Counter renewFailures;
    final AtomicInteger held = new AtomicInteger();
    final AtomicInteger candidates = new AtomicInteger();
    final Timer acquireLatency;
    private final Map<String, Counter> requests;

    ElectionMetrics(MeterRegistry registry) {
        acquired = transitions(registry, "acquired");
        lost = transitions(registry, "lost");
        released = transitions(registry, "released");
        renewFailures = Counter.builder(RENEW_FAILURES).description("Lease renewals that failed (error, timeout or conflict)").register(registry);
        Gauge.builder(HELD, held, AtomicInteger::get).description("Leases this node holds").register(registry);
        Gauge.builder(CANDIDATES, candidates, AtomicInteger::get).description("Leases this node campaigns for").register(registry);
        acquireLatency = Timer.builder(ACQUIRE)
                .description("From the moment this node judged a lease free (expired, released or absent) to its successful write")
                .publishPercentileHistogram()
                .minimumExpectedValue(Duration.ofMillis(1))
                .maximumExpectedValue(Duration.ofSeconds(30))
                .register(registry);
        requests = Map.of(
                "get", request(registry, "get"),
                "create", request(registry, "create"),
                "update", request(registry, "update"),
                "delete", request(registry, "delete"));
    }

    void request(String verb) {
        Counter c = requests.get(verb);
        if (c != null) c.increment();
    }

    private static Counter transitions(MeterRegistry registry, String outcome) {
        return Counter.builder(TRANSITIONS).tag("outcome", outcome).description("Leadership transitions of this node").register(registry);
    }

    private static Counter request(MeterRegistry registry, String verb) {
        return Counter.builder(API_REQUESTS).tag("verb", verb).description("Requests the election engine sent to the API server").register(registry);
    }
}
