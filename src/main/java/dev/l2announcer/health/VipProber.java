package dev.l2announcer.health;

import dev.l2announcer.datapath.Device;
import dev.l2announcer.datapath.MacAddress;

import java.net.InetAddress;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Runs a batch of VIP probes: one transport call per local interface (all its IPs at once, one
 * listening window per address family), then classifies each (IP, interface). IPv4 and IPv6 VIPs have the
 * same outcomes and share the same rate limit (the scheduler's probes per second). Metrics and Events are fed from here so
 * on-demand and periodic probes count alike.
 */
public final class VipProber {
    public static final Duration DEFAULT_WINDOW = Duration.ofMillis(200);

    private final ProbeTransport transport;
    private final Duration window;
    private final Clock clock;
    private final HealthMetrics metrics;
    private final HealthEvents events;

    /** {@code metrics} and {@code events} may be null (tests, dbg). */
    public VipProber(ProbeTransport transport, Duration window, Clock clock, HealthMetrics metrics, HealthEvents events) {
        this.transport = transport;
        this.window = window;
        this.clock = clock;
        this.metrics = metrics;
        this.events = events;
    }

    public List<VipProbeResult> probe(List<VipTarget> targets, Map<MacAddress, String> macOwners) {
        Map<String, List<VipTarget>> byInterface = new LinkedHashMap<>();
        for (VipTarget t : targets) {
            byInterface.computeIfAbsent(t.via().name(), k -> new ArrayList<>()).add(t);
        }
        List<VipProbeResult> results = new ArrayList<>();
        for (List<VipTarget> group : byInterface.values()) {
            Device via = group.getFirst().via();
            List<InetAddress> ips = group.stream().map(VipTarget::ip).distinct().toList();
            Map<InetAddress, List<ProbeReply>> replies;
            try {
                replies = transport.probe(via, ips, window);
            } catch (RuntimeException e) {
                for (VipTarget t : group) {
                    results.add(ProbeClassifier.error(t, String.valueOf(e.getMessage()), clock.instant()));
                }
                continue;
            }
            for (VipTarget t : group) {
                results.add(ProbeClassifier.classify(t, replies.getOrDefault(t.ip(), List.of()), macOwners, clock.instant()));
            }
        }
        for (VipProbeResult r : results) {
            if (metrics != null) {
                metrics.record(r);
            }
            if (events != null) {
                events.onResult(r);
            }
        }
        return results;
    }
}
