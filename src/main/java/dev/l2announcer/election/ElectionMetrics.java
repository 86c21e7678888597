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
 * l2announcer_lease_renew_failures_total, l2announcer_api_requests_total{verb} and, with node heartbeats,
 * l2announcer_heartbeat_claims_total{outcome} (claims this node wrote on nodes that looked dead: licensed, or
 * conflict when the node had beaten since, or failed) and l2announcer_heartbeat_claimed_total (times this node
 * learnt it was judged dead). No per-lease labels: the cardinality is fixed.
 */
final class ElectionMetrics {
    static final String TRANSITIONS = "l2announcer.lease.transitions";
    static final String HELD = "l2announcer.leases.held";
    static final String CANDIDATES = "l2announcer.lease.candidates";
    static final String ACQUIRE = "l2announcer.lease.acquire";
    static final String RENEW_FAILURES = "l2announcer.lease.renew.failures";
    static final String API_REQUESTS = "l2announcer.api.requests";
    static final String CLAIMS = "l2announcer.heartbeat.claims";
    static final String CLAIMED = "l2announcer.heartbeat.claimed";

    final Counter acquired;
    final Counter lost;
    final Counter released;
    final Counter renewFailures;
    final AtomicInteger held = new AtomicInteger();
    final AtomicInteger candidates = new AtomicInteger();
    final Timer acquireLatency;
    final Counter claimedDead;
    private final Map<String, Counter> claims;
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
        claimedDead = Counter.builder(CLAIMED).description("Times this node learnt its heartbeat was claimed (judged dead)")
                .register(registry);
        claims = Map.of(
                "licensed", claim(registry, "licensed"),
                "conflict", claim(registry, "conflict"),
                "failed", claim(registry, "failed"));
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

    void claim(LeaseStore.Result r, boolean licensed) {
        claims.get(licensed ? "licensed" : r.outcome() == LeaseStore.Outcome.CONFLICT ? "conflict" : "failed").increment();
    }

    private static Counter claim(MeterRegistry registry, String outcome) {
        return Counter.builder(CLAIMS).tag("outcome", outcome)
                .description("Claims this node wrote on the heartbeat of a node that looked dead").register(registry);
    }

    private static Counter transitions(MeterRegistry registry, String outcome) {
        return Counter.builder(TRANSITIONS).tag("outcome", outcome).description("Leadership transitions of this node").register(registry);
    }

    private static Counter request(MeterRegistry registry, String verb) {
        return Counter.builder(API_REQUESTS).tag("verb", verb).description("Requests the election engine sent to the API server").register(registry);
    }
}
