package dev.l2announcer.agent;

import dev.l2announcer.config.AgentConfig;
import dev.l2announcer.datapath.linux.LinuxDatapath;
import dev.l2announcer.election.ElectionOptions;
import dev.l2announcer.election.KubernetesLeaseStore;
import dev.l2announcer.kubernetes.SharedInformers;
import dev.l2announcer.policy.PolicyStatusReconciler;
import dev.l2announcer.election.LeaderElection;
import dev.l2announcer.election.LeaseElectionEngine;
import dev.l2announcer.health.HealthMonitor;
import dev.l2announcer.health.NodeProber;
import dev.l2announcer.health.NodeTarget;
import dev.l2announcer.health.OutageAgreement;
import dev.l2announcer.election.OutageVotes;
import dev.l2announcer.health.HolderAnnotations;
import dev.l2announcer.observability.DebugViews;
import dev.l2announcer.observability.PolicyErrorCounter;
import dev.l2announcer.selection.KubernetesSelectionSource;
import dev.l2announcer.selection.LeaseAddresses;
import dev.l2announcer.selection.RecomputeDebouncer;
import dev.l2announcer.time.Ticker;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.arc.DefaultBean;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.annotation.Priority;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.inject.Disposes;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;
import org.jboss.logging.Logger;

import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;

/**
 * The composition root: builds the one {@link AgentRuntime} of this process from the real parts
 * (informer-backed selection, lease election engine, kernel datapath), starts it once Quarkus is
 * up and stops it gracefully on shutdown (SIGTERM): entries withdrawn, leases released, handles
 * closed, pins kept.
 */
@Singleton
public class AgentProducers {
    private static final Logger LOG = Logger.getLogger(AgentProducers.class);
    /** Coalesces bursts of cluster changes into one selection recompute. */
    static final Duration SELECTION_DEBOUNCE = Duration.ofMillis(100);
    static final Duration SHUTDOWN_TIMEOUT = Duration.ofSeconds(5);

    /** Runs the selection recomputes; shut down when the agent stops (after the selection closed). */
    final ScheduledExecutorService selectionThread = Executors.newSingleThreadScheduledExecutor(
            r -> Thread.ofPlatform().daemon().name("l2a-selection").unstarted(r));

    /** The kernel datapath; tests replace it with an {@code @Alternative} in-memory one. */
    @Produces
    @Singleton
    @DefaultBean
    NodeDatapath nodeDatapath(AgentConfig config) {
        return new LinuxNodeDatapath(LinuxDatapath.open(config));
    }

    /** The agent's one informer per kind (Leases, Nodes, policies, Services, EndpointSlices), started with it. */
    @Produces
    @Singleton
    SharedInformers informers(AgentConfig config, KubernetesClient client) {
        return new SharedInformers(client, config.leaseNamespace());
    }

    void closeInformers(@Disposes SharedInformers informers) {
        informers.close();
    }

    /** The informer-backed selection; started with the agent. */
    @Produces
    @Singleton
    KubernetesSelectionSource selection(AgentConfig config, KubernetesClient client, NodeDatapath datapath,
                                        SharedInformers informers) {
        return KubernetesSelectionSource.over(informers, client, datapath.devices(), config,
                RecomputeDebouncer.Scheduler.of(selectionThread), SELECTION_DEBOUNCE);
    }

    @Produces
    @Singleton
    AgentRuntime agent(AgentConfig config, KubernetesClient client, MeterRegistry registry, NodeDatapath datapath,
                       KubernetesSelectionSource selection, SharedInformers informers) {
        Ticker ticker = Ticker.system();
        Clock clock = Clock.systemUTC();
        LeaderElection election;
        Runnable closeElection;
        if (config.enableL2Announcements()) {
            // Lease holders publish the interfaces/MACs they answer on (read by the L2 health probes).
            HolderAnnotations holderAnnotations = new HolderAnnotations(selection, datapath.devices());
            LeaseElectionEngine engine = KubernetesLeaseStore.startElection(client, informers.leases(), config.leaseNamespace(),
                    config.nodeName(), config.leaseTimings(),
                    // The group's addresses outlive a holder: an agent that starts during a handover names the group from them.
                    ElectionOptions.defaults(config.leaseTimings()).keeping(Set.of(LeaseAddresses.KEY)),
                    ticker, clock, registry, holderAnnotations);
            election = engine;
            closeElection = () -> {
                engine.close();
                holderAnnotations.close();
            };
        } else {
            // Nothing to elect: no Lease informer, loop thread or IO pool (the runtime starts no selection either).
            election = new DisabledLeaderElection();
            closeElection = () -> {
            };
        }
        PolicyErrorCounter policyErrors = new PolicyErrorCounter(informers.policies());
        PolicyStatusReconciler policyStatus = new PolicyStatusReconciler(client);
        return new AgentRuntime(new AgentRuntime.Parts(config, client, selection, election,
                datapath.responderMap(), datapath.devices(), datapath::gratuitousArp, datapath::sink, datapath.status(),
                registry, clock, ticker, selection::synced, policyErrors,
                () -> {
                    policyStatus.close();
                    policyErrors.close();
                    selection.close();
                    selectionThread.shutdownNow();
                    closeElection.run();
                    datapath.close();
                },
                () -> {
                    policyErrors.start();
                    policyStatus.watch(informers.policies());
                    selection.start();
                    informers.start();
                }));
    }

    @Produces
    @Singleton
    DebugViews debugViews(AgentRuntime agent) {
        return agent.views();
    }

    /** L2 health probes (VIPs and nodes); raw ARP sockets, so tests replace it with a fake transport. */
    @Produces
    @Singleton
    @DefaultBean
    HealthMonitor healthMonitor(AgentConfig config, SharedInformers informers, KubernetesSelectionSource selection,
                                NodeDatapath datapath, MeterRegistry registry, AgentRuntime agent) {
        return HealthMonitor.forAgent(config, informers, selection, datapath.devices(), registry, agent.events()::warning,
                Clock.systemUTC(), Ticker.system());
    }

    /** The fast path's API-outage agreement with the other candidates (a no-op without node heartbeats). */
    @Produces
    @Singleton
    OutageAgreement outageAgreement(AgentConfig config, AgentRuntime agent, SharedInformers informers) {
        OutageVotes votes = agent.outageVotes();
        Duration round = votes.heartbeatInterval();
        // A round must fit in one interval: each peer answers within half of it or counts as doubt.
        NodeProber prober = new NodeProber(config.debugPort(), round.isZero() ? Duration.ofSeconds(1) : round.dividedBy(2),
                Ticker.system(), Clock.systemUTC());
        return new OutageAgreement(config.nodeName(), votes,
                () -> NodeTarget.fromNodes(informers.nodes().getStore().list(), config.nodeName()), prober, Ticker.system());
    }

    void closeOutageAgreement(@Disposes OutageAgreement agreement) {
        agreement.close();
    }

    void start(@Observes StartupEvent ev, AgentRuntime agent, HealthMonitor health, OutageAgreement outage) {
        agent.start();
        health.start();
        outage.start();
    }

    // Before every other ShutdownEvent observer: the Operator SDK's one closes the shared KubernetesClient,
    // after which the lease release fails and the next node waits a whole lease duration (netns e2e:
    // SIGTERM handover 3.0 s with the default priority, ~0.2 s with this one).
    void stop(@Observes @Priority(1) ShutdownEvent ev, AgentRuntime agent, HealthMonitor health, OutageAgreement outage) {
        LOG.info("shutting down: withdrawing announcements and releasing leases");
        outage.close();
        health.close();
        agent.stop(SHUTDOWN_TIMEOUT);
    }
}
