package dev.l2announcer.demo;

import dev.l2announcer.datapath.MacAddress;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The e2e "Kubernetes cluster": a {@link NetnsCluster}, the mock API in its namespace with one Node
 * object per node, one packaged agent process per node, and the client's ARP/NDP observer and neighbour
 * watch (both families). Used by the e2e tests and by the demo.
 */
public final class AgentCluster implements AutoCloseable {
    /** Lease timings written to every agent's config dir (cilium-config keys). */
    public record Timings(Duration leaseDuration, Duration renewDeadline, Duration retryPeriod) {
        static final Timings SHORT = new Timings(Duration.ofSeconds(3), Duration.ofSeconds(1), Duration.ofMillis(200));
    }

    static final String LEASE_NAMESPACE = "kube-system";
    static final String PIN_DIR = "/sys/fs/bpf/l2-announcer";
    static final int DEBUG_PORT = 9890;
    /**
     * The JVM options of every agent process the demo and the e2e start (the one place they are set):
     * three agents, the API server and the test share two cores, so the JIT and GC stay cheap.
     */
    static final List<String> AGENT_JVM_OPTIONS = List.of("-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-Xmx192m", "-Xss512k");

    private final NetnsCluster net;
    private final ApiControl api;
    private final Path agentJar;
    private final Timings timings;
    private final Path kubeconfig;
    private final Map<String, Process> agents = new LinkedHashMap<>();
    private final List<String> events = new java.util.concurrent.CopyOnWriteArrayList<>();
    private final Map<String, Instant> startedAt = new java.util.concurrent.ConcurrentHashMap<>();
    private final NeighbourObserver observer;
    private final NeighbourWatch neighbours;

    private AgentCluster(NetnsCluster net, Path agentJar, Timings timings) {
        this.net = net;
        this.agentJar = agentJar;
        this.timings = timings;
        this.kubeconfig = net.writeKubeconfig();
        this.api = net.startApiServer(agentJar);
        for (NetnsCluster.Member n : net.nodes()) {
            api.node(n.name(), "topology.kubernetes.io/zone=e2e");
            writeConfig(n);
        }
        this.observer = new NeighbourObserver(net.client().netns(), "eth0", NetnsCluster.ipv4(NetnsCluster.PROBER_IP),
                (java.net.Inet6Address) java.net.InetAddress.ofLiteral(NetnsCluster.PROBER_IP6));
        this.neighbours = new NeighbourWatch(net.client().netns());
    }

    /** Builds the LAN and the API; agents are started with {@link #startAgent}. Cleans up if anything fails. */
    public static AgentCluster create(int nodes, Path agentJar, Timings timings, Path logDir) {
        if (!Files.isRegularFile(agentJar)) {
            throw new IllegalStateException("packaged agent not found at " + agentJar
                    + ": build it first (./mvnw -B package -DskipTests)");
        }
        NetnsCluster net = NetnsCluster.create(nodes, logDir);
        try {
            return new AgentCluster(net, agentJar, timings);
        } catch (RuntimeException e) {
            net.close();
            throw e;
        }
    }

    private void writeConfig(NetnsCluster.Member n) {
        Path dir = configDir(n);
        Map<String, String> keys = new LinkedHashMap<>();
        keys.put("enable-l2-announcements", "true");
        keys.put("l2-announcements-lease-duration", seconds(timings.leaseDuration()));
        keys.put("l2-announcements-renew-deadline", seconds(timings.renewDeadline()));
        keys.put("l2-announcements-retry-period", seconds(timings.retryPeriod()));
        keys.put("k8s-client-qps", "20");
        keys.put("k8s-client-burst", "40");
        keys.put("devices", "eth0");
        keys.put("enable-external-ips", "true");
        keys.put("kube-proxy-replacement", "false");
        keys.put("bpf-pin-dir", PIN_DIR);
        keys.put("l2-announcements-lease-namespace", LEASE_NAMESPACE);
        try {
            Files.createDirectories(dir);
            for (var e : keys.entrySet()) {
                Files.writeString(dir.resolve(e.getKey()), e.getValue());
            }
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Go duration syntax, as in cilium-config ("3s", "0.2s"). */
    static String seconds(Duration d) {
        long ms = d.toMillis();
        return ms % 1000 == 0 ? (ms / 1000) + "s" : ms + "ms";
    }

    private Path configDir(NetnsCluster.Member n) {
        return net.workDir().resolve("config").resolve(n.name());
    }

    /** Starts (or restarts) the packaged agent on {@code node}. */
    public synchronized Process startAgent(String node) {
        NetnsCluster.Member n = net.node(node);
        Process old = agents.get(node);
        if (old != null && old.isAlive()) {
            throw new IllegalStateException("agent on " + node + " still running");
        }
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<String> cmd = new ArrayList<>(List.of(java));
        cmd.addAll(AGENT_JVM_OPTIONS);
        cmd.addAll(List.of("--enable-native-access=ALL-UNNAMED",
                "-jar", agentJar.toAbsolutePath().toString(),
                "--node-name=" + node,
                "--config-dir=" + configDir(n),
                "--bpf-pin-dir=" + PIN_DIR));
        Map<String, String> env = Map.of(
                "KUBECONFIG", kubeconfig.toString(),
                "NODE_NAME", node,
                "POD_NAMESPACE", LEASE_NAMESPACE);
        Process p = net.startOnNode(n, cmd, env, "agent-" + node);
        agents.put(node, p);
        startedAt.put(node, Instant.now());
        event("start agent on " + node + " (pid " + p.pid() + ")");
        return p;
    }

    /** True once the agent answers its readiness endpoint (inside its own namespace). */
    public boolean ready(String node) {
        Process p = agents.get(node);
        if (p == null || !p.isAlive()) {
            return false;
        }
        String out = net.exec(net.node(node), false, "curl", "-s", "-o", "/dev/null", "-w", "%{http_code}",
                "--max-time", "2", "http://127.0.0.1:" + DEBUG_PORT + "/q/health/ready");
        return out.trim().equals("200");
    }

    private void event(String what) {
        events.add(Instant.now() + " " + what);
    }

    /** What the harness did, with wall-clock times (for failure messages next to the capture). */
    public List<String> events() {
        return List.copyOf(events);
    }

    /** When the agent process on {@code node} was last started. */
    public Instant startedAt(String node) {
        return startedAt.get(node);
    }

    public Process agent(String node) {
        return agents.get(node);
    }

    /**
     * Signals the agent on {@code node} (SIGKILL, or SIGTERM when {@code graceful}) and returns the
     * wall-clock instant taken right before the signal: the zero of a failover measurement.
     */
    public Instant stopAgent(String node, boolean graceful) {
        Process p = agents.get(node);
        Instant at = Instant.now();
        event((graceful ? "SIGTERM" : "SIGKILL") + " agent on " + node + " (pid " + p.pid() + ")");
        if (graceful) {
            p.destroy();
        } else {
            p.destroyForcibly();
        }
        return at;
    }

    public boolean awaitExit(String node, Duration timeout) {
        return NetnsCluster.stop(agents.get(node), false, timeout);
    }

    /** {@code dbg <view>} inside the node (its netns): exit code and output. */
    public Map.Entry<Integer, String> debug(String node, String view) {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        String out = net.execOnNode(net.node(node), "sh", "-c",
                "\"$@\"; echo \"exit=$?\"", "sh", java, "--enable-native-access=ALL-UNNAMED",
                "-XX:TieredStopAtLevel=1", "-jar", agentJar.toAbsolutePath().toString(), "dbg", view,
                "--port", String.valueOf(DEBUG_PORT));
        int i = out.lastIndexOf("exit=");
        int code = i < 0 ? -1 : Integer.parseInt(out.substring(i + 5).trim());
        return Map.entry(code, i < 0 ? out : out.substring(0, i));
    }

    /** The node's pinned l2_responder_v4 map, dumped with bpftool inside the node's view of bpffs. */
    public String bpftoolMapDump(String node) {
        return bpftoolMapDump(node, dev.l2announcer.datapath.AddressFamily.IPV4);
    }

    /** The node's pinned responder map of {@code family} (l2_responder_v4 / l2_responder_v6), dumped with bpftool. */
    public String bpftoolMapDump(String node, dev.l2announcer.datapath.AddressFamily family) {
        // mustSucceed: a failing bpftool prints no VIP bytes, so "no stale entry" checks would pass vacuously.
        return net.execOnNode(net.node(node), true, "bpftool", "-j", "map", "dump", "pinned", PIN_DIR + "/" + family.mapName());
    }

    /**
     * The addresses in the node's pinned responder map of {@code family}, read from bpftool's JSON (each entry's
     * {@code key} bytes: the address first, network order), so checks do not depend on bpftool's BTF formatting.
     */
    public List<java.net.InetAddress> responderKeys(String node, dev.l2announcer.datapath.AddressFamily family) {
        int length = family == dev.l2announcer.datapath.AddressFamily.IPV4 ? 4 : 16;
        List<java.net.InetAddress> out = new ArrayList<>();
        try {
            for (com.fasterxml.jackson.databind.JsonNode e : new com.fasterxml.jackson.databind.ObjectMapper()
                    .readTree(bpftoolMapDump(node, family))) {
                byte[] a = new byte[length];
                for (int i = 0; i < length; i++) {
                    a[i] = (byte) Integer.decode(e.get("key").get(i).asText()).intValue();
                }
                out.add(java.net.InetAddress.getByAddress(a));
            }
        } catch (IOException e) {
            throw new IllegalStateException("bpftool map dump of " + family.mapName() + " on " + node + " is not JSON", e);
        }
        return out;
    }

    public Optional<NetnsCluster.Member> nodeByMac(MacAddress mac) {
        return net.nodes().stream().filter(n -> n.mac().equals(mac)).findFirst();
    }

    public String nameOf(MacAddress mac) {
        return nodeByMac(mac).map(NetnsCluster.Member::name).orElse(mac.toString());
    }

    /** Makes the client kernel resolve {@code vip} over ARP or NDP (one UDP datagram to a discard port). */
    public void clientTouches(java.net.InetAddress vip) {
        net.exec(net.client(), false, "bash", "-c", "echo e2e > /dev/udp/" + vip.getHostAddress() + "/9");
    }

    public ApiControl api() {
        return api;
    }

    public NeighbourObserver observer() {
        return observer;
    }

    public NeighbourWatch neighbours() {
        return neighbours;
    }

    public NetnsCluster net() {
        return net;
    }

    public Timings timings() {
        return timings;
    }

    public List<String> nodeNames() {
        return net.nodes().stream().map(NetnsCluster.Member::name).toList();
    }

    @Override
    public void close() {
        try {
            observer.close();
            neighbours.close();
        } finally {
            net.close();
        }
    }
}
