package dev.l2announcer.agent;

import dev.l2announcer.announce.AnnouncementLoop;
import dev.l2announcer.announce.AnnouncementObserver;
import dev.l2announcer.announce.PodAnnouncer;
import dev.l2announcer.announce.ResponderSink;
import dev.l2announcer.config.AgentConfig;
import dev.l2announcer.datapath.Devices;
import dev.l2announcer.datapath.LeaseFence;
import dev.l2announcer.datapath.NeighbourAnnouncer;
import dev.l2announcer.datapath.ResponderMap;
import dev.l2announcer.election.LeaderElection;
import dev.l2announcer.election.OutageVotes;
import dev.l2announcer.observability.AgentDoctor;
import dev.l2announcer.observability.AnnouncerMetrics;
import dev.l2announcer.observability.DatapathStatus;
import dev.l2announcer.observability.DebugViews;
import dev.l2announcer.observability.EventRateLimiter;
import dev.l2announcer.observability.RbacSelfCheck;
import dev.l2announcer.observability.ServiceEventRecorder;
import dev.l2announcer.selection.SelectionSource;
import dev.l2announcer.time.Ticker;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.micrometer.core.instrument.MeterRegistry;
import org.jboss.logging.Logger;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BooleanSupplier;
import java.util.function.BiFunction;
import java.util.function.Function;
import java.util.function.IntSupplier;
import java.util.function.Supplier;

/**
 * One agent, assembled from its parts: selection -> election -> announce loop -> datapath, with
 * metrics, Service events, debug views and pod announcements around it. Plain Java, so tests run
 * several agents in one JVM; the CDI producers build one from the real parts.
 */
public final class AgentRuntime implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(AgentRuntime.class);
    /** Under the DaemonSet's liveness probe timeout (3 s), so a stuck loop reads as DOWN, not as a timeout. */
    private static final Duration LIVENESS_TIMEOUT = Duration.ofSeconds(2);

    /**
     * @param podGarp          GARP sender for L2 pod announcements, asked for only when they are enabled
     * @param sinkFactory      builds the datapath sink; it reports GARPs and errors to the metrics
     * @param informersSynced  selection's informers have listed everything once
     * @param policiesWithErrors policies whose status carries an error condition
     * @param onStop           closes what the parts opened (informers, datapath), run last on shutdown
     * @param onStart          starts what the parts need started (informers), run first on start
     */
    public record Parts(AgentConfig config, KubernetesClient client, SelectionSource selection, LeaderElection election,
                        ResponderMap map, Devices devices, Supplier<NeighbourAnnouncer> podGarp,
                        BiFunction<AnnouncerMetrics, LeaseFence, ResponderSink> sinkFactory,
                        DatapathStatus datapath, MeterRegistry registry, Clock clock, Ticker ticker,
                        BooleanSupplier informersSynced, IntSupplier policiesWithErrors, Runnable onStop,
                        Runnable onStart) {}

    private final Parts parts;
    private final AnnouncerMetrics metrics;
    private final ServiceEventRecorder events;
    private final AnnouncementLoop loop;
    private final DebugViews views;
    private final PodAnnouncer podAnnouncer;
    private final List<AutoCloseable> closeables = new ArrayList<>();
    private volatile boolean started;
    private volatile boolean stopping;

    public AgentRuntime(Parts p) {
        this.parts = p;
        AgentConfig c = p.config();
        this.metrics = new AnnouncerMetrics(p.registry(), p.map(), () -> p.datapath().staleState().size(),
                p.policiesWithErrors());
        this.events = new ServiceEventRecorder(p.client(), c.nodeName(),
                new EventRateLimiter(p.ticker(), 3, Duration.ofMinutes(1)), p.clock());
        // The datapath asks the election, on its own thread and clock, before it lets an entry be answered.
        LeaseFence fence = p.election()::mayAnnounce;
        this.loop = new AnnouncementLoop(c.nodeName(), p.selection(), p.election(), p.sinkFactory().apply(metrics, fence),
                AnnouncementObserver.all(metrics, events), p.clock(), p.ticker(), Duration.ofSeconds(30));
        this.views = new DebugViews(c, loop::table, loop::failures, p.devices(), p.map(), p.election(),
                new AgentDoctor(c, p.datapath(), new RbacSelfCheck(p.client()), () -> p.election().held().size()));
        if (c.enableL2Announcements()) {
            var timings = c.leaseTimings();
            metrics.watchRenewBudget(() -> timings.renewalsPerSecond(p.election().held().size()) / c.k8sClientQps());
        }
        this.podAnnouncer = c.enableL2PodAnnouncements()
                ? new PodAnnouncer(p.client(), c.nodeName(), p.devices(), metrics.counting(p.podGarp().get()),
                        c.l2PodAnnouncementsInterface(), c.l2PodAnnouncementsInterfacePattern())
                : null;
    }

    public synchronized void start() {
        if (started) {
            return;
        }
        started = true;
        if (announcing()) {
            parts.onStart().run();
            loop.start();
            closeables.add(parts.devices().subscribe(loop::resync));
        } else {
            // As Cilium: with enable-l2-announcements=false the agent watches nothing and campaigns for nothing
            // (the datapath sink still clears entries a previous run left behind).
            LOG.warn("enable-l2-announcements=false: not announcing any Service");
        }
        if (podAnnouncer != null) {
            podAnnouncer.start();
        }
        LOG.infof("agent started on node %s", parts.config().nodeName());
    }

    /**
     * Graceful stop: withdraw map entries, release leases (inside the loop's shutdown, in that
     * order), stop informers and close the datapath handles we opened. The datapath decides what
     * is ours to detach; nothing else is touched.
     */
    public synchronized void stop(Duration timeout) {
        if (stopping) {
            return;
        }
        stopping = true;
        if (podAnnouncer != null) {
            podAnnouncer.close();
        }
        for (AutoCloseable c : closeables) {
            try {
                c.close();
            } catch (Exception e) {
                LOG.debugf(e, "close");
            }
        }
        if (!loop.shutdown(timeout)) {
            // The datapath did not confirm it stopped answering: let the leases expire rather than
            // hand them to a successor that would answer next to us.
            parts.election().abandon();
        }
        events.close();
        try {
            parts.onStop().run();
        } catch (RuntimeException e) {
            LOG.warnf(e, "closing agent parts");
        }
        LOG.infof("agent on node %s stopped", parts.config().nodeName());
    }

    @Override
    public void close() {
        stop(Duration.ofSeconds(5));
    }

    public AnnouncementLoop loop() {
        return loop;
    }

    /** Service events (also used by the L2 health monitor for its warnings). */
    public ServiceEventRecorder events() {
        return events;
    }

    public DebugViews views() {
        return views;
    }

    public AgentConfig config() {
        return parts.config();
    }

    /** The election's side of the API-outage agreement (a no-fast-path answer when announcements are off). */
    public OutageVotes outageVotes() {
        return parts.election().outageVotes();
    }

    /** Readiness: informers synced, datapath attached, and the first snapshot handed to the datapath. */
    public List<String> notReadyReasons() {
        List<String> out = new ArrayList<>();
        if (!started || stopping) out.add(stopping ? "stopping" : "not started");
        if (announcing() && !parts.informersSynced().getAsBoolean()) out.add("informers not synced");
        if (!parts.datapath().attached()) out.add("datapath not attached");
        if (announcing() && !loop.converged()) out.add("announce loop has not converged yet");
        if (podAnnouncer != null && !podAnnouncer.synced()) out.add("pod informer not synced");
        return out;
    }

    private boolean announcing() {
        return parts.config().enableL2Announcements();
    }

    /**
     * Liveness: only our own machinery, never the API server (the agent must ride out an outage): the announce
     * loop answers and the election has not died (an engine that failed fatally renews nothing; its leases are
     * already fenced off in the datapath, a restart brings the node back).
     */
    public boolean alive() {
        return stopping || (loop.responsive(LIVENESS_TIMEOUT) && parts.election().alive());
    }
}
