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

    private final NetnsCluster net;
    private final ApiControl api;
    private final PackagedApp app;
    private final Timings timings;
    private final Path kubeconfig;
    private final Map<String, Process> agents = new LinkedHashMap<>();
    private final List<String> events = new java.util.concurrent.CopyOnWriteArrayList<>();
    private final Map<String, Instant> startedAt = new java.util.concurrent.ConcurrentHashMap<>();
    private List<String> agentCommand;
    private final NeighbourObserver observer;
    private final NeighbourWatch neighbours;

    private AgentCluster(NetnsCluster net, Path agentJar, Timings timings, List<String> apiJvmOptions) {
        this.net = net;
        this.app = PackagedApp.of(agentJar);
        this.timings = timings;
        this.kubeconfig = net.writeKubeconfig();
        this.agentCommand = app.command(Map.of(), List.of());
        this.api = net.startApiServer(agentJar, apiJvmOptions);
        for (NetnsCluster.Member n : net.nodes()) {
            // InternalIP as a kubelet reports it: the agents reach each other there (node probes, the outage agreement).
            api.node(n.name(), "topology.kubernetes.io/zone=e2e", n.ip(), n.ip6());
            writeConfig(n);
        }
        this.observer = new NeighbourObserver(net.client().netns(), "eth0", NetnsCluster.ipv4(NetnsCluster.PROBER_IP),
                (java.net.Inet6Address) java.net.InetAddress.ofLiteral(NetnsCluster.PROBER_IP6));
        this.neighbours = new NeighbourWatch(net.client().netns());
    }

    /** Builds the LAN and the API; agents are started with {@link #startAgent}. Cleans up if anything fails. */
    public static AgentCluster create(int nodes, Path agentJar, Timings timings, Path logDir) {
        return create(nodes, agentJar, timings, logDir, NetnsCluster.API_JVM_OPTIONS);
    }

    /** As above, with the API server's extra JVM options (after the packaged app's own). */
    public static AgentCluster create(int nodes, Path agentJar, Timings timings, Path logDir, List<String> apiJvmOptions) {
        if (!PackagedApp.of(agentJar).isPackaged()) {
            throw new IllegalStateException("packaged agent not found at " + agentJar
                    + ": build it first (./mvnw -B package -DskipTests)");
        }
        NetnsCluster net = NetnsCluster.create(nodes, logDir);
        try {
            return new AgentCluster(net, agentJar, timings, apiJvmOptions);
        } catch (RuntimeException e) {
            net.close();
            throw e;
        }
    }

    /** The packaged app the agents run from (its launcher: jvm.options and the AOT cache, as in the image). */
    public PackagedApp app() {
        return app;
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

    /** Sets one cilium-config key of {@code node}'s agent; it applies from the agent's next start. */
    public void configure(String node, String key, String value) {
        try {
            Files.writeString(configDir(net.node(node)).resolve(key), value);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Sets a cilium-config key for every node; agents started afterwards read it. */
    public void configure(String key, String value) {
        for (NetnsCluster.Member n : net.nodes()) {
            try {
                Files.writeString(configDir(n).resolve(key), value);
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        }
    }

    /**
     * Replaces the command (JVM and its options, without the agent's arguments) of agents started afterwards;
     * by default {@link PackagedApp#command} of the app's launcher. For benchmarks comparing JVM options.
     */
    public synchronized void agentCommand(List<String> command) {
        this.agentCommand = List.copyOf(command);
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
        List<String> cmd = new ArrayList<>(agentCommand);
        cmd.addAll(List.of("--node-name=" + node,
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

    /** Records something the test did (a fault it injected) in {@link #events()}, with the time. */
    public void mark(String what) {
        event(what);
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

    /**
     * Sends {@code signal} (e.g. STOP, CONT) to the agent process on {@code node}, which this cluster started
     * (by PID), and returns the wall-clock instant taken right before.
     */
    public Instant signal(String node, String signal) {
        Process p = agents.get(node);
        Instant at = Instant.now();
        event("SIG" + signal + " agent on " + node + " (pid " + p.pid() + ")");
        HostCommand.ok("kill", "-" + signal, Long.toString(p.pid()));
        return at;
    }

    /**
     * Takes the carrier of {@code node}'s LAN interface away ({@code on} false) or gives it back, and returns the
     * wall-clock instant taken right before.
     */
    public Instant carrier(String node, boolean on) {
        Instant at = Instant.now();
        event((on ? "carrier back on " : "carrier lost on ") + node + " eth0");
        net.carrier(net.node(node), on);
        return at;
    }

    /**
     * Cuts {@code node} off from the API server ({@code reachable} false: a blackhole route to its address in the
     * node's namespace; the LAN and the other nodes stay reachable) or reconnects it, and returns the wall-clock
     * instant taken right before.
     */
    public Instant apiRoute(String node, boolean reachable) {
        Instant at = Instant.now();
        event("API blackhole route " + (reachable ? "del" : "add") + " on " + node);
        HostCommand.ok("ip", "-n", net.node(node).netns(), "route", reachable ? "del" : "add", "blackhole",
                NetnsCluster.API_IP + "/32");
        return at;
    }

    /** Sends {@code signal} to the API server process (which this cluster started, by PID). */
    public Instant signalApi(String signal) {
        Instant at = Instant.now();
        event("SIG" + signal + " API server (pid " + api.pid() + ")");
        HostCommand.ok("kill", "-" + signal, Long.toString(api.pid()));
        return at;
    }

    /**
     * GET {@code path} of the agent's HTTP port inside its node (a socket opened in the node's network
     * namespace, no fork): the body, or an exception for a status other than 200.
     */
    public String http(String node, String path) {
        return http(node, path, Duration.ofSeconds(10));
    }

    /** As {@link #http(String, String)}, waiting up to {@code timeout} for the answer (views that ask the API). */
    public String http(String node, String path, Duration timeout) {
        return Netns.call(net.node(node).netns(), () -> {
            try (java.net.Socket s = new java.net.Socket()) {
                s.connect(new java.net.InetSocketAddress("127.0.0.1", DEBUG_PORT), 2_000);
                s.setSoTimeout((int) timeout.toMillis());
                s.getOutputStream().write(("GET " + path + " HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n")
                        .getBytes(java.nio.charset.StandardCharsets.US_ASCII));
                String response = new String(s.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
                int head = response.indexOf("\r\n\r\n");
                if (!response.startsWith("HTTP/1.1 200") || head < 0) {
                    throw new IllegalStateException("GET " + path + " on " + node + ": "
                            + response.lines().findFirst().orElse("no answer"));
                }
                String body = response.substring(head + 4);
                return response.substring(0, head).toLowerCase(java.util.Locale.ROOT).contains("transfer-encoding: chunked")
                        ? unchunk(body) : body;
            }
        });
    }

    private static String unchunk(String body) {
        StringBuilder out = new StringBuilder();
        int i = 0;
        while (i < body.length()) {
            int eol = body.indexOf("\r\n", i);
            int size = Integer.parseInt(body.substring(i, eol).trim().split(";")[0], 16);
            if (size == 0) {
                break;
            }
            out.append(body, eol + 2, eol + 2 + size);
            i = eol + 2 + size + 2;
        }
        return out.toString();
    }

    /** Where the agent on {@code node} pins its maps, as the host sees it (the run's bpffs). */
    public Path pinDir(String node) {
        return net.node(node).bpfDir().resolve(Path.of(PIN_DIR).getFileName());
    }

    /** The ifindex of the node's LAN interface (eth0) in its namespace. */
    public int lanIfindex(String node) {
        return Netns.call(net.node(node).netns(), () -> Libc.ifIndex("eth0"));
    }

    public boolean awaitExit(String node, Duration timeout) {
        return NetnsCluster.stop(agents.get(node), false, timeout);
    }

    /** {@code dbg <view>} inside the node (its netns): exit code and output. */
    public Map.Entry<Integer, String> debug(String node, String view) {
        List<String> cmd = new ArrayList<>(List.of("sh", "-c", "\"$@\"; echo \"exit=$?\"", "sh"));
        cmd.addAll(app.command(Map.of(), List.of("dbg", view, "--port", String.valueOf(DEBUG_PORT))));
        String out = net.execOnNode(net.node(node), cmd.toArray(String[]::new));
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
