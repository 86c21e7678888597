package dev.l2announcer.demo;

import dev.l2announcer.agent.AgentRuntime;
import dev.l2announcer.agent.InMemoryNodeDatapath;
import dev.l2announcer.datapath.ResponderEntry;
import dev.l2announcer.datapath.fake.FakeResponderMap;
import dev.l2announcer.config.AgentConfig;
import dev.l2announcer.demo.api.EmbeddedApiServer;
import dev.l2announcer.election.KubernetesLeaseStore;
import dev.l2announcer.election.LeaseElectionEngine;
import dev.l2announcer.policy.CiliumL2AnnouncementPolicy;
import dev.l2announcer.selection.KubernetesSelectionSource;
import dev.l2announcer.selection.RecomputeDebouncer;
import dev.l2announcer.time.Ticker;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;

import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.locks.LockSupport;

/**
 * The demo without root: three agents assembled in this JVM from their real parts (selection, Lease
 * election, announce loop) against the mock API on loopback, with the agent's in-memory datapath fakes
 * instead of BPF and raw sockets. "Who answers ARP" is read from each node's fake responder map; a node
 * "crashes" by losing its API connection and its answers at once. Everything printed says SIMULATED.
 */
final class SimulatedDemo {
    private static final String NS = "kube-system";
    private static final Duration LEASE = Duration.ofSeconds(3);
    private static final Duration RENEW = Duration.ofSeconds(1);
    private static final Duration RETRY = Duration.ofMillis(200);

    /** One simulated node: its agent and the fakes standing in for its datapath. */
    private record Node(String name, KubernetesClient client, FakeResponderMap map, AgentRuntime runtime,
                        ScheduledExecutorService scheduler) {
        boolean answers(java.net.InetAddress ip) {
            return map.list().keySet().stream().map(ResponderEntry::ip).anyMatch(ip::equals);
        }
    }

    private static final Map<String, KubernetesSelectionSource> SELECTIONS = new HashMap<>();
    private final Instant start = Instant.now();
    private final Map<String, Node> nodes = new LinkedHashMap<>();
    private final Map<String, Boolean> crashed = new HashMap<>();

    private SimulatedDemo() {
    }

    static void run(boolean follow) throws Exception {
        new SimulatedDemo().demo(follow);
    }

    private void say(String fmt, Object... args) {
        double s = Duration.between(start, Instant.now()).toMillis() / 1000.0;
        System.out.printf("[%5.1fs] (simulated) %s%n", s, String.format(fmt, args));
    }

    private void demo(boolean follow) throws Exception {
        EmbeddedApiServer server = EmbeddedApiServer.start(InetAddress.getLoopbackAddress(), 0, Resources.CRD_FILES);
        try (KubernetesClient admin = server.client()) {
            say("embedded Kubernetes API on %s", server.url());
            for (int i = 1; i <= 3; i++) {
                EmbeddedApiServer.createReadyNode(admin, "node" + i, Map.of());
            }
            Path work = Path.of("target", "demo-simulated");
            Path kubeconfig = Kubectl.writeKubeconfig(work.resolve("kubeconfig"), server.url(), "default");
            Optional<KubectlTour> kubectl = KubectlTour.find(kubeconfig, work.resolve("kube-cache"), m -> say("%s", m));
            for (int i = 1; i <= 3; i++) {
                nodes.put("node" + i, startNode("node" + i, i, server));
            }
            say("3 agents started in this JVM (lease %s, renew %s, retry %s), datapath = in-memory fakes",
                    AgentCluster.seconds(LEASE), AgentCluster.seconds(RENEW), AgentCluster.seconds(RETRY));
            if (kubectl.isPresent()) {
                kubectl.get().show("apply", "-f", Resources.POLICY_FILE.toString());
            } else {
                admin.resources(CiliumL2AnnouncementPolicy.class)
                        .resource(Serialization.unmarshal(Resources.POLICY, CiliumL2AnnouncementPolicy.class)).create();
                say("applied CiliumL2AnnouncementPolicy policy1 (Services color=blue, interfaces ^eth[0-9]+)");
            }
            List<Demo.Svc> services = Demo.SERVICES;
            for (Demo.Svc s : services) {
                String yaml = s.yaml();
                if (kubectl.isPresent()) {
                    Path file = Files.writeString(work.resolve(s.name() + ".yaml"), yaml);
                    kubectl.get().show("apply", "-f", file.toString());
                } else {
                    admin.services().resource(Serialization.unmarshal(yaml, Service.class)).create();
                }
                EmbeddedApiServer.setLoadBalancerIp(admin, "default", s.name(), s.ipStrings());
                say("Service default/%s type LoadBalancer%s, status.loadBalancer.ingress %s (written as an LB IPAM would)",
                        s.name(), s.dualStack() ? " dual-stack" : "", s.ipList());
            }
            Map<String, String> shown = new HashMap<>();
            watch(admin, services, shown, Duration.ofSeconds(30), () -> services.stream().allMatch(s ->
                    !shown.getOrDefault(s.name() + "/lease", "-").equals("-")
                            && shown.get(s.name() + "/lease").equals(shown.get(s.name() + "/arp"))));
            kubectl.ifPresent(k -> k.show("-n", NS, "get", "lease"));
            Demo.Svc victim = services.getFirst();
            String holder = holder(admin, victim);
            if (holder.equals("-")) {
                say("no node holds %s after 30 s", victim.lease());
                if (Boolean.getBoolean("demo.debug")) {
                    nodes.values().forEach(n -> say("%s snapshot %s; table %s", n.name(), SELECTIONS.get(n.name()).current(),
                            n.runtime().loop().table()));
                }
                return;
            }
            Instant crash = Instant.now();
            crash(holder);
            say("%s crashes (loses the API and stops answering)", holder);
            watch(admin, services, shown, LEASE.plusSeconds(15), () -> {
                String h = shown.getOrDefault(victim.name() + "/lease", holder);
                return !h.equals(holder) && !h.equals("-") && h.equals(shown.get(victim.name() + "/arp"));
            });
            String now = holder(admin, victim);
            if (!now.equals(holder)) {
                say("FAILOVER: %s answered by %s %d ms after the crash (lease duration %s)", victim.ipList(),
                        now, Duration.between(crash, Instant.now()).toMillis(), AgentCluster.seconds(LEASE));
            }
            kubectl.ifPresent(k -> k.show("-n", NS, "get", "lease"));
            if (follow) {
                say("--follow: live view until Ctrl-C; in another terminal: export KUBECONFIG=%s", kubeconfig.toAbsolutePath());
                watch(admin, services, shown, Duration.ofDays(1), () -> false);
            }
        } finally {
            nodes.values().forEach(n -> {
                try {
                    n.runtime().stop(Duration.ofSeconds(2));
                } catch (RuntimeException ignored) {
                    // the crashed node has no API anymore
                }
                n.scheduler().shutdownNow();
                n.client().close();
            });
            server.close();
            say("done");
        }
    }

    private static String holder(KubernetesClient c, Demo.Svc s) {
        return EmbeddedApiServer.holder(c.leases().inNamespace(NS).withName(s.lease()).get());
    }

    private void crash(String node) {
        crashed.put(node, true);
        // A crashed node's threads may trip over their closed client; say so in one line, not a trace.
        Thread.setDefaultUncaughtExceptionHandler((t, e) -> say("thread %s of a crashed node ended: %s", t.getName(), e));
        nodes.get(node).client().close();
    }

    private Node startNode(String name, int i, EmbeddedApiServer server) {
        AgentConfig config = AgentConfig.defaults(name).withLeaseTimings(LEASE, RENEW, RETRY);
        KubernetesClient client = server.client();
        // The agent's own test datapath: the real ResponderReconciler over in-memory map, links and GARP.
        InMemoryNodeDatapath datapath = new InMemoryNodeDatapath();
        ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor(
                Thread.ofPlatform().daemon().name("selection-" + name).factory());
        KubernetesSelectionSource selection = KubernetesSelectionSource.fromConfig(client, datapath.devices(), config,
                RecomputeDebouncer.Scheduler.of(scheduler), Duration.ofMillis(50));
        SELECTIONS.put(name, selection);
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        LeaseElectionEngine election = KubernetesLeaseStore.startElection(client, NS, name, config.leaseTimings(),
                registry, lease -> Map.of());
        AgentRuntime runtime = new AgentRuntime(new AgentRuntime.Parts(config, client, selection, election,
                datapath.responderMap(), datapath.devices(), datapath::gratuitousArp, datapath::sink, datapath.status(),
                registry, Clock.systemUTC(), Ticker.system(), selection::synced, () -> 0, () -> {
                    datapath.close();
                    selection.close();
                    election.close();
                }, selection::start));
        runtime.start();
        return new Node(name, client, datapath.map, runtime, scheduler);
    }

    private Optional<String> answerer(java.net.InetAddress ip) {
        List<String> who = nodes.values().stream()
                .filter(n -> !crashed.getOrDefault(n.name(), false) && n.answers(ip)).map(Node::name).toList();
        return who.isEmpty() ? Optional.empty() : Optional.of(String.join("+", who));
    }

    private void watch(KubernetesClient admin, List<Demo.Svc> services, Map<String, String> shown, Duration max,
                       java.util.function.BooleanSupplier done) {
        Instant end = Instant.now().plus(max);
        while (Instant.now().isBefore(end)) {
            for (Demo.Svc s : services) {
                String h = holder(admin, s);
                if (!h.equals(shown.put(s.name() + "/lease", h))) {
                    say("lease %s -> %s", s.lease(), h);
                }
                java.util.Set<String> all = new java.util.TreeSet<>();
                for (java.net.InetAddress ip : s.ips()) {
                    String who = answerer(ip).orElse("nobody");
                    all.add(who);
                    if (!who.equals(shown.put(s.name() + "/arp/" + ip, who))) {
                        say("%s %s would be answered by %s", Demo.protocol(ip),
                                dev.l2announcer.datapath.Addresses.format(ip), who);
                    }
                }
                shown.put(s.name() + "/arp", String.join("+", all));
            }
            if (done.getAsBoolean()) {
                return;
            }
            LockSupport.parkNanos(Duration.ofMillis(100).toNanos());
        }
    }
}
