package dev.l2announcer.observability;

import dev.l2announcer.announce.AnnouncementObserver;
import dev.l2announcer.announce.ReconcileReport;
import dev.l2announcer.datapath.Device;
import dev.l2announcer.datapath.AddressFamily;
import dev.l2announcer.datapath.NeighbourAnnouncer;
import dev.l2announcer.datapath.ResponderEntry;
import dev.l2announcer.datapath.ResponderMap;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;

import java.net.InetAddress;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntSupplier;

/**
 * The agent's own meters (the election engine registers its lease meters itself). Micrometer
 * names below become the Prometheus names in the comments; all are documented in README.
 * Labels are bounded: {@code interface} (the node's selected links), {@code family} ({@code ipv4}, {@code ipv6}) on
 * meters that count packets or entries of one address family, {@code reason}.
 */
public final class AnnouncerMetrics implements AnnouncementObserver {
    /** l2announcer_announcements_active: rows of the l2-announce table. */
    public static final String ANNOUNCEMENTS_ACTIVE = "l2announcer.announcements.active";
    /** l2announcer_garp_sent_total{interface,family}: gratuitous ARPs (ipv4) and unsolicited NAs (ipv6). */
    public static final String GARP_SENT = "l2announcer.garp.sent";
    /** l2announcer_arp_responses_total{family}: sum of responses_sent over a map (ARP replies / NAs), kept monotonic. */
    public static final String ARP_RESPONSES = "l2announcer.arp.responses";
    /** l2announcer_responder_map_entries{family}: entries in l2_responder_v4 / l2_responder_v6. */
    public static final String MAP_ENTRIES = "l2announcer.responder.map.entries";
    /** l2announcer_datapath_errors_total. */
    public static final String DATAPATH_ERRORS = "l2announcer.datapath.errors";
    /** l2announcer_stale_bpf_state: findings of the stale-state check (0 = clean). */
    public static final String STALE_BPF_STATE = "l2announcer.stale.bpf.state";
    /** l2announcer_policies_with_errors: policies with an error condition. */
    public static final String POLICIES_WITH_ERRORS = "l2announcer.policies.with.errors";
    /** l2announcer_reconcile_seconds (histogram): one pass of the announce loop. */
    public static final String RECONCILE = "l2announcer.reconcile";
    /** l2announcer_announce_failures: addresses that cannot be announced right now, by reason. */
    public static final String FAILURES = "l2announcer.announce.failures";
    /** l2announcer_lease_renew_budget_ratio: renewals per second of the held leases / k8s-client-qps. */
    public static final String RENEW_BUDGET = "l2announcer.lease.renew.budget.ratio";

    private final MeterRegistry registry;
    private final AtomicInteger active = new AtomicInteger();
    private final Counter datapathErrors;
    private final Timer reconcile;
    private final Map<String, AtomicInteger> failuresByReason = new java.util.concurrent.ConcurrentHashMap<>();

    public AnnouncerMetrics(MeterRegistry registry, ResponderMap map, IntSupplier staleFindings,
                            IntSupplier policiesWithErrors) {
        this.registry = registry;
        Gauge.builder(ANNOUNCEMENTS_ACTIVE, active, AtomicInteger::get)
                .description("(IP, interface) pairs this node announces").register(registry);
        for (AddressFamily f : AddressFamily.values()) {
            ArpResponseTotals totals = new ArpResponseTotals();
            FunctionCounter.builder(ARP_RESPONSES, map, m -> totals.total(safeList(m, f))).tag("family", f.label())
                    .description("ARP replies (ipv4) and neighbor advertisements (ipv6) sent by the responder program"
                            + " (map counters)").register(registry);
            Gauge.builder(MAP_ENTRIES, map, m -> safeList(m, f).size()).tag("family", f.label())
                    .description("Entries in the l2_responder_v4 (ipv4) and l2_responder_v6 (ipv6) maps").register(registry);
        }
        datapathErrors = Counter.builder(DATAPATH_ERRORS)
                .description("Datapath operations that failed (map writes, attach/detach, liveness refresh, GARP sends)").register(registry);
        // The suppliers are lambdas nobody else keeps: a gauge holds its object weakly unless told otherwise, and
        // would read NaN from the first garbage collection on.
        Gauge.builder(STALE_BPF_STATE, staleFindings, IntSupplier::getAsInt).strongReference(true)
                .description("Stale BPF state findings (duplicate maps, stale or foreign programs)").register(registry);
        Gauge.builder(POLICIES_WITH_ERRORS, policiesWithErrors, IntSupplier::getAsInt).strongReference(true)
                .description("CiliumL2AnnouncementPolicies with an error condition").register(registry);
        reconcile = Timer.builder(RECONCILE)
                .description("Duration of one announce loop pass (plan + datapath sync)")
                .publishPercentileHistogram()
                .minimumExpectedValue(Duration.ofNanos(100_000))
                .maximumExpectedValue(Duration.ofSeconds(10))
                .register(registry);
    }

    /** Registers the renew budget gauge (held leases / retryPeriod / k8s-client-qps; over 0.8 the doctor warns). */
    public void watchRenewBudget(java.util.function.DoubleSupplier ratio) {
        Gauge.builder(RENEW_BUDGET, ratio, java.util.function.DoubleSupplier::getAsDouble).strongReference(true)
                .description("Share of k8s-client-qps the renewals of the held leases need (they go first; above 1 other requests starve)")
                .register(registry);
    }

    private static Map<ResponderEntry, Long> safeList(ResponderMap m, AddressFamily family) {
        try {
            Map<ResponderEntry, Long> out = new java.util.HashMap<>(m.list());
            out.keySet().removeIf(e -> e.family() != family);
            return out;
        } catch (RuntimeException e) {
            return Map.of();
        }
    }

    @Override
    public void reconciled(ReconcileReport r) {
        active.set(r.table().size());
        if (r.datapathErrors() > 0) {
            datapathErrors.increment(r.datapathErrors());
        }
        reconcile.record(r.took());
        Map<String, Integer> counts = new java.util.HashMap<>();
        r.failures().forEach(f -> counts.merge(f.reason().code(), 1, Integer::sum));
        failuresByReason.keySet().forEach(k -> counts.putIfAbsent(k, 0));
        counts.forEach((reason, n) -> failuresByReason.computeIfAbsent(reason, k -> {
            AtomicInteger g = new AtomicInteger();
            Gauge.builder(FAILURES, g, AtomicInteger::get).tag("reason", k)
                    .description("Addresses this node cannot announce, by reason").register(registry);
            return g;
        }).set(n));
    }

    public void datapathError() {
        datapathErrors.increment();
    }

    /** One gratuitous ARP (request + reply form, ipv4) or unsolicited NA (ipv6) sent on {@code interfaceName}. */
    public void garpSent(String interfaceName, AddressFamily family) {
        Counter.builder(GARP_SENT).tag("interface", interfaceName).tag("family", family.label())
                .description("Gratuitous ARP (ipv4) and unsolicited neighbor advertisement (ipv6) announcements sent")
                .register(registry).increment();
    }

    /** Counts announcements per interface and family, and datapath errors of the wrapped sender. */
    public NeighbourAnnouncer counting(NeighbourAnnouncer delegate) {
        return (Device device, InetAddress ip) -> {
            try {
                delegate.announce(device, ip);
            } catch (RuntimeException e) {
                datapathErrors.increment();
                throw e;
            }
            garpSent(device.name(), AddressFamily.of(ip));
        };
    }
}
