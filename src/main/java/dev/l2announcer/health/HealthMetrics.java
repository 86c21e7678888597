package dev.l2announcer.health;

import dev.l2announcer.datapath.AddressFamily;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;

import java.time.Duration;

/**
 * Prometheus names (Micrometer adds the unit/total suffixes):
 * {@code l2announcer_vip_probe_seconds{family}} (histogram of ok RTTs), {@code l2announcer_vip_probe_failures_total{reason,family}},
 * {@code l2announcer_node_probe_seconds{node}} and {@code l2announcer_node_probe_failures_total{node}}.
 * Explicit buckets (L2 RTTs are sub-millisecond) instead of Micrometer's ~70 default ones.
 */
public final class HealthMetrics {
    private static final Duration[] BUCKETS = {
            Duration.ofNanos(50_000), Duration.ofNanos(100_000), Duration.ofNanos(250_000), Duration.ofNanos(500_000),
            Duration.ofMillis(1), Duration.ofNanos(2_500_000), Duration.ofMillis(5), Duration.ofMillis(10),
            Duration.ofMillis(25), Duration.ofMillis(50), Duration.ofMillis(100), Duration.ofMillis(250),
            Duration.ofMillis(500), Duration.ofSeconds(1)};

    private final MeterRegistry registry;

    public HealthMetrics(MeterRegistry registry) {
        this.registry = registry;
        for (AddressFamily f : AddressFamily.values()) {
            vipProbe(f);
            for (ProbeOutcome o : ProbeOutcome.values()) {
                if (!o.healthy()) {
                    failureCounter(o, f); // exported at 0 from the start, so rate() works on the first failure
                }
            }
        }
    }

    public void record(VipProbeResult r) {
        if (r.outcome().healthy()) {
            vipProbe(r.target().family()).record(r.rtt());
        } else {
            failureCounter(r.outcome(), r.target().family()).increment();
        }
    }

    private Timer vipProbe(AddressFamily f) {
        return Timer.builder("l2announcer.vip.probe")
                .description("RTT of VIP probes (ARP, NDP) for announced IPs answered by the holder")
                .tag("family", f.label())
                .serviceLevelObjectives(BUCKETS)
                .register(registry);
    }

    public void record(NodeProbeResult r) {
        if (r.ok()) {
            Timer.builder("l2announcer.node.probe")
                    .description("RTT of HTTP probes to other agents' health endpoints")
                    .tag("node", r.target().name())
                    .register(registry)
                    .record(r.rtt());
        } else {
            Counter.builder("l2announcer.node.probe.failures")
                    .description("HTTP probes to an agent's health endpoint that failed")
                    .tag("node", r.target().name())
                    .register(registry)
                    .increment();
        }
    }

    private Counter failureCounter(ProbeOutcome o, AddressFamily f) {
        return Counter.builder("l2announcer.vip.probe.failures")
                .description("VIP probes (ARP, NDP) of announced IPs that did not find exactly the holder")
                .tag("reason", o.label())
                .tag("family", f.label())
                .register(registry);
    }
}
