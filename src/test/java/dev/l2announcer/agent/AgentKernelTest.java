package dev.l2announcer.agent;

import dev.l2announcer.config.AgentConfig;
import dev.l2announcer.datapath.ArpFrame;
import dev.l2announcer.datapath.Device;
import dev.l2announcer.time.TaskScheduler;
import dev.l2announcer.datapath.linux.ArpSocket;
import dev.l2announcer.datapath.linux.BpfLoader;
import dev.l2announcer.datapath.linux.LinuxDatapath;
import dev.l2announcer.datapath.linux.NetNs;
import dev.l2announcer.datapath.linux.NetlinkDevices;
import dev.l2announcer.election.KubernetesLeaseStore;
import dev.l2announcer.election.LeaseElectionEngine;
import dev.l2announcer.policy.CiliumL2AnnouncementPolicy;
import dev.l2announcer.policy.L2AnnouncementPolicySpec;
import dev.l2announcer.selection.KubernetesSelectionSource;
import dev.l2announcer.selection.RecomputeDebouncer;
import dev.l2announcer.testing.MockApi;
import dev.l2announcer.time.Ticker;
import io.fabric8.kubernetes.api.model.LoadBalancerIngressBuilder;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The whole agent in one JVM on the real kernel datapath: mock API server -> selection -> lease
 * election -> announce loop -> ResponderReconciler -> BPF map + XDP on a veth in a test network
 * namespace; a client namespace asks ARP for the Service IP and must get the node's MAC, and none
 * after a graceful stop. Only namespaces this test creates, only 192.0.2.0/24 addresses.
 */
class AgentKernelTest {
    private static final Inet4Address CLIENT_IP = (Inet4Address) InetAddress.ofLiteral("192.0.2.2");
    private static final Inet4Address VIP = (Inet4Address) InetAddress.ofLiteral("192.0.2.100");
    private final long pid = ProcessHandle.current().pid();
    private final String nodeNs = "l2a-agent-n-" + pid;
    private final String clientNs = "l2a-agent-c-" + pid;
    private final String nodeIf = "l2aagn";
    private final String clientIf = "l2aagc";
    private final Path pinDir = Path.of("/sys/fs/bpf/l2a-agent-" + pid);
    private final List<ExecutorService> threads = new ArrayList<>();
    private final List<String> namespaces = new ArrayList<>();

    private KubernetesMockServer server;
    private KubernetesClient client;
    private LinuxDatapath datapath;
    private AgentRuntime agent;

    @BeforeEach
    void setUp() {
        boolean root = "0".equals(run("id", "-u").trim());
        if (!root) {
            System.out.println("SKIP AgentKernelTest: needs root (BPF, XDP, network namespaces)");
        }
        Assumptions.assumeTrue(root, "needs root");
        Assumptions.assumeTrue(AgentKernelTest.class.getResource(BpfLoader.RESOURCE) != null,
                () -> "SKIP AgentKernelTest: BPF object not built (" + BpfLoader.RESOURCE + ")");
        for (String ns : List.of(nodeNs, clientNs)) {
            run("ip", "netns", "del", ns); // leftover of a crashed run
            ok("ip", "netns", "add", ns);
            namespaces.add(ns);
            ok("ip", "-n", ns, "link", "set", "lo", "up");
        }
        ok("ip", "-n", nodeNs, "link", "add", nodeIf, "type", "veth", "peer", "name", clientIf, "netns", clientNs);
        ok("ip", "-n", nodeNs, "link", "set", nodeIf, "up");
        ok("ip", "-n", clientNs, "link", "set", clientIf, "up");
        ok("ip", "-n", clientNs, "addr", "add", "192.0.2.2/24", "dev", clientIf);
        server = MockApi.start();
        client = server.createClient();
    }

    @AfterEach
    void tearDown() {
        try {
            if (agent != null) {
                agent.stop(Duration.ofSeconds(2));
            }
        } finally {
            if (client != null) {
                client.close();
                server.destroy();
            }
            threads.forEach(ExecutorService::shutdownNow);
            run("rm", "-rf", pinDir.toString()); // our pins only (unique per test JVM)
            for (String ns : namespaces) {
                run("ip", "netns", "del", ns);
            }
        }
    }

    @Test
    void serviceIpIsAnsweredByTheKernelAndWithdrawnOnGracefulStop() {
        ExecutorService nodeThread = thread(nodeNs);
        ExecutorService clientThread = thread(clientNs);
        ScheduledExecutorService nodeScheduled = scheduled(nodeNs, "l2a-agent-node-sched");
        AgentConfig d = AgentConfig.defaults("node-a");
        AgentConfig config = new AgentConfig(true, d.leaseDuration(), d.renewDeadline(), d.retryPeriod(), d.k8sClientQps(),
                d.k8sClientBurst(), List.of(), false, "", "", true, "false", "node-a", "kube-system", pinDir, 2,
                Duration.ofMillis(200), d.healthProbeInterval(), d.debugPort());

        client.nodes().resource(new NodeBuilder().withNewMetadata().withName("node-a").endMetadata()
                .withNewStatus().addNewCondition().withType("Ready").withStatus("True").endCondition().endStatus()
                .build()).create();
        var policy = new CiliumL2AnnouncementPolicy();
        policy.setMetadata(new ObjectMetaBuilder().withName("all").build());
        var spec = new L2AnnouncementPolicySpec();
        spec.setLoadBalancerIPs(true);
        spec.setInterfaces(List.of("^" + nodeIf + "$"));
        policy.setSpec(spec);
        client.resource(policy).create();
        client.services().resource(new ServiceBuilder()
                .withNewMetadata().withNamespace("default").withName("web").endMetadata()
                .withNewSpec().withType("LoadBalancer").addNewPort().withPort(80).endPort().endSpec()
                .withNewStatus().withNewLoadBalancer().addToIngress(new LoadBalancerIngressBuilder().withIp("192.0.2.100").build())
                .endLoadBalancer().endStatus().build()).create();

        // Everything that touches links (open, reconciler, selection's device reads) runs in the node namespace.
        datapath = in(nodeThread, () -> LinuxDatapath.open(config));
        LinuxNodeDatapath node = new LinuxNodeDatapath(datapath, TaskScheduler.of(nodeScheduled));
        KubernetesSelectionSource selection = KubernetesSelectionSource.fromConfig(client, node.devices(), config,
                RecomputeDebouncer.Scheduler.of(nodeScheduled), Duration.ofMillis(20));
        LeaseElectionEngine election = KubernetesLeaseStore.startElection(client, "kube-system", "node-a",
                config.leaseTimings(), new SimpleMeterRegistry(), lease -> Map.of());
        agent = new AgentRuntime(new AgentRuntime.Parts(config, client, selection, election, node.responderMap(),
                node.devices(), node::gratuitousArp, node::sink, node.status(), new SimpleMeterRegistry(),
                Clock.systemUTC(), Ticker.system(), selection::synced, () -> 0,
                () -> {
                    selection.close();
                    election.close();
                    node.close();
                },
                selection::start));
        in(nodeThread, () -> {
            agent.start(); // link subscriptions open their netlink sockets in this namespace
            return null;
        });

        Device nodeLink = in(nodeThread, () -> new NetlinkDevices().list().stream()
                .filter(l -> l.name().equals(nodeIf)).findFirst().orElseThrow());
        await().atMost(Duration.ofSeconds(20)).until(() -> ask(clientThread).isPresent());
        assertThat(ask(clientThread).map(ArpFrame::senderMac)).contains(nodeLink.mac());
        assertThat(agent.loop().table().rows()).singleElement().satisfies(r -> {
            assertThat(r.ip()).isEqualTo(VIP);
            assertThat(r.interfaceName()).isEqualTo(nodeIf);
        });
        assertThat(client.leases().inNamespace("kube-system").withName("cilium-l2announce-default-web").get()
                .getSpec().getHolderIdentity()).isEqualTo("node-a");
        assertThat(xdpAttached()).isTrue();

        agent.stop(Duration.ofSeconds(2));
        assertThat(ask(clientThread)).isEmpty();
        assertThat(xdpAttached()).isFalse(); // our program detached from the link we had attached to
        assertThat(client.leases().inNamespace("kube-system").withName("cilium-l2announce-default-web").get()
                .getSpec().getHolderIdentity()).isNullOrEmpty(); // released
    }

    private boolean xdpAttached() {
        return run("ip", "-n", nodeNs, "-d", "link", "show", "dev", nodeIf).contains("prog/xdp");
    }

    private Optional<ArpFrame> ask(ExecutorService clientThread) {
        return in(clientThread, () -> {
            Device c = new NetlinkDevices().list().stream().filter(l -> l.name().equals(clientIf)).findFirst().orElseThrow();
            try (ArpSocket s = new ArpSocket(c.ifindex())) {
                return s.resolve(c.mac(), CLIENT_IP, VIP, Duration.ofMillis(300));
            }
        });
    }

    // ---- namespace plumbing (bounded, cleaned up in tearDown) ----

    private ExecutorService thread(String ns) {
        ExecutorService ex = Executors.newSingleThreadExecutor(r -> Thread.ofPlatform().daemon().name("netns-" + ns).unstarted(r));
        threads.add(ex);
        in(ex, () -> {
            NetNs.enterOnThisThread(Path.of("/run/netns", ns));
            return null;
        });
        return ex;
    }

    private ScheduledExecutorService scheduled(String ns, String name) {
        ScheduledExecutorService ex = Executors.newSingleThreadScheduledExecutor(
                NetNs.platformThreadsIn(Path.of("/run/netns", ns), name));
        threads.add(ex);
        return ex;
    }

    private static <T> T in(ExecutorService ex, Callable<T> c) {
        try {
            return ex.submit(c).get(30, TimeUnit.SECONDS);
        } catch (java.util.concurrent.ExecutionException e) {
            if (e.getCause() instanceof RuntimeException re) {
                throw re;
            }
            throw new IllegalStateException(e.getCause());
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static String run(String... cmd) {
        try {
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(30, TimeUnit.SECONDS)) {
                p.destroyForcibly();
            }
            return out;
        } catch (IOException e) {
            return "";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "";
        }
    }

    private static void ok(String... cmd) {
        try {
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(30, TimeUnit.SECONDS) || p.exitValue() != 0) {
                throw new IllegalStateException(String.join(" ", cmd) + " failed: " + out);
            }
        } catch (IOException | InterruptedException e) {
            throw new IllegalStateException(e);
        }
    }
}
