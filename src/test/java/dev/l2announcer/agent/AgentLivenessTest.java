package dev.l2announcer.agent;

import dev.l2announcer.config.AgentConfig;
import dev.l2announcer.election.KubernetesLeaseStore;
import dev.l2announcer.election.LeaseElectionEngine;
import dev.l2announcer.selection.KubernetesSelectionSource;
import dev.l2announcer.selection.RecomputeDebouncer;
import dev.l2announcer.testing.MockApi;
import dev.l2announcer.time.Ticker;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;

import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** Liveness depends on the agent's own loop only: an API server outage must not get the pod restarted. */
class AgentLivenessTest {
    @Test
    void staysLiveWhileTheApiServerIsGoneAndReadyNeedsSyncedInformers() {
        KubernetesMockServer server = MockApi.start();
        KubernetesClient client = server.createClient();
        AgentConfig config = AgentConfig.defaults("node-a");
        ScheduledExecutorService selectionThread = Executors.newSingleThreadScheduledExecutor();
        InMemoryNodeDatapath datapath = new InMemoryNodeDatapath();
        KubernetesSelectionSource selection = KubernetesSelectionSource.fromConfig(client, datapath.devices(), config,
                RecomputeDebouncer.Scheduler.of(selectionThread), Duration.ofMillis(20));
        LeaseElectionEngine election = KubernetesLeaseStore.startElection(client, config.leaseNamespace(), "node-a",
                config.leaseTimings(), new SimpleMeterRegistry(), lease -> Map.of());
        AgentRuntime agent = new AgentRuntime(new AgentRuntime.Parts(config, client, selection, election,
                datapath.responderMap(), datapath.devices(), datapath::gratuitousArp, datapath::sink, datapath.status(),
                new SimpleMeterRegistry(), Clock.systemUTC(), Ticker.system(), selection::synced, () -> 0,
                () -> {
                    selection.close();
                    election.close();
                    datapath.close();
                },
                selection::start));
        try {
            assertThat(agent.notReadyReasons()).contains("not started");
            agent.start();
            await().atMost(Duration.ofSeconds(15)).until(() -> agent.notReadyReasons().isEmpty());
            assertThat(agent.alive()).isTrue();

            server.destroy(); // API server gone
            // Several liveness checks over a few seconds: the loop keeps answering.
            for (int i = 0; i < 5; i++) {
                assertThat(agent.alive()).isTrue();
                agent.loop().resync();
                agent.loop().flush(Duration.ofSeconds(2));
            }
            assertThat(agent.alive()).isTrue();
        } finally {
            agent.stop(Duration.ofSeconds(1));
            selectionThread.shutdownNow();
            client.close();
        }
        assertThat(agent.notReadyReasons()).contains("stopping");
    }

    @Test
    void aDeadElectionFailsLiveness() {
        java.util.concurrent.atomic.AtomicBoolean electionAlive = new java.util.concurrent.atomic.AtomicBoolean(true);
        var leases = new dev.l2announcer.fakes.InMemoryLeases(Clock.systemUTC()).node("node-a");
        dev.l2announcer.election.LeaderElection election = new dev.l2announcer.election.LeaderElection() {
            public void campaign(java.util.Map<String, java.util.SortedSet<String>> c) { leases.campaign(c); }
            public AutoCloseable subscribe(java.util.function.Consumer<dev.l2announcer.election.LeadershipEvent> l) { return leases.subscribe(l); }
            public java.util.Set<String> held() { return leases.held(); }
            public boolean mayAnnounce(String lease, long now) { return leases.mayAnnounce(lease, now); }
            public java.util.List<LeaseView> leases() { return leases.leases(); }
            public void shutdown(Duration timeout) { leases.shutdown(timeout); }
            public boolean alive() { return electionAlive.get(); }
        };
        InMemoryNodeDatapath datapath = new InMemoryNodeDatapath();
        AgentRuntime agent = new AgentRuntime(new AgentRuntime.Parts(AgentConfig.defaults("node-a"), null,
                new dev.l2announcer.selection.InMemorySelectionSource(), election, datapath.responderMap(), datapath.devices(),
                datapath::gratuitousArp, datapath::sink, datapath.status(), new SimpleMeterRegistry(), Clock.systemUTC(),
                Ticker.system(), () -> true, () -> 0, datapath::close, () -> { }));
        try {
            agent.start();
            assertThat(agent.alive()).isTrue();
            electionAlive.set(false); // e.g. an Error ended the engine: no renewals, its leases fenced
            assertThat(agent.alive()).isFalse();
        } finally {
            agent.stop(Duration.ofSeconds(1));
        }
    }

    @Test
    void disabledAgentWatchesNothingButIsReadyAndClearsOldEntries() {
        AgentConfig d = AgentConfig.defaults("node-a");
        AgentConfig off = new AgentConfig(false, d.leaseDuration(), d.renewDeadline(), d.retryPeriod(), d.k8sClientQps(),
                d.k8sClientBurst(), d.devices(), false, "", "", d.enableExternalIps(), d.kubeProxyReplacement(),
                d.nodeName(), d.leaseNamespace(), d.bpfPinDir(), d.garpRepeats(), d.garpInterval(),
                d.healthProbeInterval(), d.debugPort());
        InMemoryNodeDatapath datapath = new InMemoryNodeDatapath();
        var leftover = new dev.l2announcer.datapath.ResponderEntry(
                (java.net.Inet4Address) java.net.InetAddress.ofLiteral("192.0.2.50"), 2);
        datapath.map.put(leftover);
        java.util.concurrent.atomic.AtomicBoolean informersStarted = new java.util.concurrent.atomic.AtomicBoolean();
        AgentRuntime agent = new AgentRuntime(new AgentRuntime.Parts(off, null,
                new dev.l2announcer.selection.InMemorySelectionSource(), new dev.l2announcer.fakes.InMemoryLeases(Clock.systemUTC()).node("node-a"),
                datapath.responderMap(), datapath.devices(), datapath::gratuitousArp, datapath::sink, datapath.status(),
                new SimpleMeterRegistry(), Clock.systemUTC(), Ticker.system(), () -> false, () -> 0,
                datapath::close, () -> informersStarted.set(true)));
        try {
            agent.start();
            assertThat(informersStarted).isFalse();
            assertThat(agent.notReadyReasons()).isEmpty();
            // The datapath still converges to "nothing": a previous run's entries do not linger.
            await().atMost(Duration.ofSeconds(5)).until(() -> datapath.map.list().isEmpty());
        } finally {
            agent.stop(Duration.ofSeconds(1));
        }
    }
}
