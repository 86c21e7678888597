package dev.l2announcer.health;

import dev.l2announcer.config.AgentConfig;
import dev.l2announcer.kubernetes.SharedInformers;
import dev.l2announcer.datapath.Device;
import dev.l2announcer.datapath.Devices;
import dev.l2announcer.selection.SelectionSnapshot;
import dev.l2announcer.selection.SelectionSource;
import dev.l2announcer.time.Ticker;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.micrometer.core.instrument.MeterRegistry;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Supplier;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * cilium-health for L2: periodically probes every announced IP held by another node (ARP, NDP) and
 * every node's health endpoint (HTTP), spread over the interval and capped per second, and keeps
 * the latest result of each for {@link #report()}. {@link #probeNow()} is the {@code --probe} path.
 * One probe batch at a time (a lock), so on-demand and periodic probes never overlap on a socket.
 */
public final class HealthMonitor implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(HealthMonitor.class.getName());

    /** Inputs, read fresh at every round and every probe (so a failover mid-round is seen). */
    public record Sources(Supplier<SelectionSnapshot> selection, LeaseHolders leases, Supplier<List<Device>> devices,
                          Supplier<List<NodeTarget>> nodes) {}

    private final String selfNode;
    private final Sources sources;
    private final VipProber vipProber;
    private final NodeProber nodeProber;
    private final HealthMetrics metrics;
    private final int maxPerSecond;
    private final ProbeScheduler<VipTarget> vipSchedule;
    private final ProbeScheduler<NodeTarget> nodeSchedule;
    private final Map<VipTarget.Key, VipProbeResult> vipResults = new ConcurrentHashMap<>();
    private final Map<String, NodeProbeResult> nodeResults = new ConcurrentHashMap<>();
    private final ReentrantLock probing = new ReentrantLock();
    private volatile Thread loop;
    private volatile boolean closed;
    private Runnable onClose = () -> {};

    /** Probes per second, VIP and node probes each (bounded work on big clusters). */
    public static final int DEFAULT_MAX_PER_SECOND = 20;
    public static final Duration NODE_PROBE_TIMEOUT = Duration.ofSeconds(1);
    /** At most one Warning Event per (Service, reason) this often, per node. */
    public static final Duration EVENT_MIN_GAP = Duration.ofMinutes(10);

    /**
     * The production assembly: Lease and Node informers, raw-socket ARP and NDP probes, metrics, Warning
     * Events through {@code events}; node probes go to every node's {@code debugPort}. Call
     * {@link #start()}; {@link #close()} also stops the informers.
     */
    public static HealthMonitor forAgent(AgentConfig config, KubernetesClient client, SelectionSource selection,
                                         Devices devices, MeterRegistry registry, ServiceEventSink events,
                                         Clock clock, Ticker ticker) {
        return forAgent(config, KubernetesHealthSources.start(client, config.leaseNamespace(), config.nodeName()),
                selection, devices, registry, events, clock, ticker);
    }

    /** Over the agent's informers (Leases, Nodes): no watch of its own. */
    public static HealthMonitor forAgent(AgentConfig config, SharedInformers informers, SelectionSource selection,
                                         Devices devices, MeterRegistry registry, ServiceEventSink events,
                                         Clock clock, Ticker ticker) {
        return forAgent(config, KubernetesHealthSources.over(informers.leases(), informers.nodes(), config.nodeName()),
                selection, devices, registry, events, clock, ticker);
    }

    private static HealthMonitor forAgent(AgentConfig config, KubernetesHealthSources k8s, SelectionSource selection,
                                          Devices devices, MeterRegistry registry, ServiceEventSink events,
                                          Clock clock, Ticker ticker) {
        HealthMetrics metrics = new HealthMetrics(registry);
        var vipProber = new VipProber(DualStackProbes.packetSockets(), VipProber.DEFAULT_WINDOW, clock, metrics,
                new HealthEvents(events, ticker, EVENT_MIN_GAP, config.nodeName()));
        var nodeProber = new NodeProber(config.debugPort(), NODE_PROBE_TIMEOUT, ticker, clock);
        var sources = new Sources(selection::current, k8s.leases(), devices::list, k8s.nodes());
        HealthMonitor m = new HealthMonitor(config.nodeName(), sources, vipProber, nodeProber, metrics, ticker,
                config.healthProbeInterval(), DEFAULT_MAX_PER_SECOND);
        m.onClose = k8s::close;
        return m;
    }

    /** {@code metrics} may be null. */
    public HealthMonitor(String selfNode, Sources sources, VipProber vipProber, NodeProber nodeProber,
                         HealthMetrics metrics, Ticker ticker, Duration interval, int maxPerSecond) {
        this.selfNode = selfNode;
        this.sources = sources;
        this.vipProber = vipProber;
        this.nodeProber = nodeProber;
        this.metrics = metrics;
        this.maxPerSecond = maxPerSecond;
        this.vipSchedule = new ProbeScheduler<>(ticker, interval, maxPerSecond, this::vipTargets);
        this.nodeSchedule = new ProbeScheduler<>(ticker, interval, maxPerSecond, sources.nodes());
    }

    /** The node name this monitor probes from (what {@value NodeHealthEndpoint#PATH} answers). */
    public String selfNode() {
        return selfNode;
    }

    List<VipTarget> vipTargets() {
        return VipTargets.compute(sources.selection().get(), sources.leases().observed(), sources.devices().get(), selfNode);
    }

    /** Runs whatever probes are due now; returns how long the caller may wait before the next call. */
    public Duration runDue() {
        probing.lock();
        try {
            List<VipTarget> vips = vipSchedule.poll();
            if (!vips.isEmpty()) {
                probeVips(vips);
            }
            for (NodeTarget n : nodeSchedule.poll()) {
                probeNode(n);
            }
            Duration a = vipSchedule.untilNext(), b = nodeSchedule.untilNext();
            return a.compareTo(b) < 0 ? a : b;
        } finally {
            probing.unlock();
        }
    }

    /** {@code --probe}: probes everything now (batches of maxPerSecond, a second apart) and reports. */
    public HealthReport probeNow() throws InterruptedException {
        probing.lockInterruptibly();
        try {
            List<List<VipTarget>> batches = ProbeScheduler.batchesForOnDemand(vipTargets(), maxPerSecond);
            List<List<NodeTarget>> nodeBatches = ProbeScheduler.batchesForOnDemand(sources.nodes().get(), maxPerSecond);
            for (int i = 0; i < Math.max(batches.size(), nodeBatches.size()); i++) {
                if (i > 0) {
                    // Capping is the point of this wait, not correctness: the results do not depend on it.
                    TimeUnit.SECONDS.sleep(1);
                }
                if (i < batches.size()) {
                    probeVips(batches.get(i));
                }
                if (i < nodeBatches.size()) {
                    nodeBatches.get(i).forEach(this::probeNode);
                }
            }
        } finally {
            probing.unlock();
        }
        return report();
    }

    private void probeVips(List<VipTarget> scheduled) {
        Map<String, ObservedLease> leases = sources.leases().observed();
        List<VipTarget> current = new ArrayList<>();
        for (VipTarget t : scheduled) {
            refresh(t, leases).ifPresentOrElse(current::add, () -> vipResults.remove(t.key()));
        }
        for (VipProbeResult r : vipProber.probe(current, VipTargets.macOwners(leases))) {
            vipResults.put(r.target().key(), r);
        }
    }

    /** The Lease may have moved since the round started: expect its current holder, skip if it is us now. */
    private Optional<VipTarget> refresh(VipTarget t, Map<String, ObservedLease> leases) {
        ObservedLease l = leases.get(t.leaseName());
        if (l == null || l.holder().isEmpty() || l.holder().equals(selfNode)) {
            return Optional.empty();
        }
        return Optional.of(new VipTarget(t.ip(), t.leaseName(), t.services(), l.holder(),
                new HashSet<>(l.announcedOn().values()), t.via()));
    }

    private void probeNode(NodeTarget n) {
        NodeProbeResult r = nodeProber.probe(n);
        nodeResults.put(n.name(), r);
        if (metrics != null) {
            metrics.record(r);
        }
    }

    /** Latest results for the current targets only: IPs and nodes that went away drop out. */
    public HealthReport report() {
        Set<VipTarget.Key> vipKeys = new HashSet<>();
        vipTargets().forEach(t -> vipKeys.add(t.key()));
        Set<String> nodeNames = new HashSet<>();
        sources.nodes().get().forEach(n -> nodeNames.add(n.name()));
        List<VipProbeResult> vips = vipResults.values().stream().filter(r -> vipKeys.contains(r.target().key())).toList();
        List<NodeProbeResult> nodes = nodeResults.values().stream().filter(r -> nodeNames.contains(r.target().name())).toList();
        return HealthReport.of(selfNode, nodes, vips);
    }

    /** Starts the periodic loop on a platform thread (probes block in poll(2)). */
    public synchronized void start() {
        if (loop != null) {
            return;
        }
        loop = Thread.ofPlatform().daemon().name("l2-health-probes").start(() -> {
            while (!closed) {
                try {
                    Duration wait = runDue();
                    // A real sleep is right here: this is the production pacing loop, tests call runDue().
                    Thread.sleep(Math.max(10, Math.min(wait.toMillis(), 1000)));
                } catch (InterruptedException e) {
                    return;
                } catch (RuntimeException e) {
                    LOG.log(Level.WARNING, "health probe round failed", e);
                }
            }
        });
    }

    @Override
    public void close() {
        closed = true;
        Thread t = loop;
        if (t != null) {
            t.interrupt();
        }
        onClose.run();
    }
}
