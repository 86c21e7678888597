package dev.l2announcer.demo;

import dev.l2announcer.datapath.MacAddress;

import java.io.IOException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A throw-away LAN on one machine, built only from network namespaces this class creates
 * ({@code l2a-e2e-<pid>-*}): a bridge in its own namespace (STP off, forward delay 0, no multicast
 * snooping) and one veth per member namespace: N nodes, a client and the API server, on 192.0.2.0/24 and
 * 2001:db8::/64 (IPv6 enabled in every member namespace, addresses without DAD: the LAN is ours).
 * Nothing is added to the root namespace. Node processes run in the node's network namespace and in a
 * mount namespace of their own with sysfs remounted (so /sys/class/net shows the node's links) and a
 * per-node directory of a run-private bpffs bound over /sys/fs/bpf (so pins of agents never collide and
 * survive an agent restart). {@link #close()} kills the processes it started (by PID), deletes the
 * namespaces and unmounts the bpffs; a shutdown hook does the same on Ctrl-C, and stale leftovers of
 * dead runs are swept at the next start.
 */
public final class NetnsCluster implements AutoCloseable {
    static final String PREFIX = "l2a-e2e-";
    static final String API_IP = "192.0.2.250";
    static final int API_PORT = 6443;
    static final String CLIENT_IP = "192.0.2.200";
    /** Owned by nobody: the prober's sender address, so answers bypass every kernel's neighbour table. */
    static final String PROBER_IP = "192.0.2.201";
    /** The client's IPv6 address (on-link 2001:db8::/64, no DAD: the LAN is ours). */
    static final String CLIENT_IP6 = "2001:db8::c8";
    /** As {@link #PROBER_IP} for Neighbor Solicitations: owned by nobody. */
    static final String PROBER_IP6 = "2001:db8::c9";

    /** A member namespace of the LAN. */
    public record Member(String name, String netns, Inet4Address ip, java.net.Inet6Address ip6, MacAddress mac, Path bpfDir) {
    }

    private final String runId;
    private final Path workDir;
    private final Path bpffs;
    private final Path logDir;
    private final String lanNetns;
    private final List<Member> nodes = new ArrayList<>();
    private final Member client;
    private final Member api;
    private final List<Process> processes = new ArrayList<>();
    private final Thread shutdownHook;
    private boolean closed;

    private NetnsCluster(int nodeCount, Path logDir) {
        this.runId = PREFIX + ProcessHandle.current().pid();
        this.workDir = Path.of("/tmp", runId);
        this.bpffs = workDir.resolve("bpffs");
        this.logDir = logDir;
        this.lanNetns = runId + "-lan";
        for (int i = 1; i <= nodeCount; i++) {
            nodes.add(member("node" + i, "192.0.2." + (10 + i), "2001:db8::" + (10 + i), String.format("02:00:00:00:00:%02x", 0x10 + i)));
        }
        this.client = member("client", CLIENT_IP, CLIENT_IP6, "02:00:00:00:00:c8");
        this.api = member("api", API_IP, "2001:db8::fa", "02:00:00:00:00:fa");
        this.shutdownHook = new Thread(this::close, "netns-cluster-cleanup");
    }

    /** Builds the LAN with {@code nodeCount} nodes; logs of started processes go to {@code logDir}. */
    public static NetnsCluster create(int nodeCount, Path logDir) {
        if (!HostCommand.isRoot()) {
            throw new IllegalStateException("the netns cluster needs root (network and mount namespaces, bpffs)");
        }
        sweepStaleRuns();
        NetnsCluster c = new NetnsCluster(nodeCount, logDir);
        Runtime.getRuntime().addShutdownHook(c.shutdownHook);
        try {
            c.build();
        } catch (RuntimeException e) {
            c.close();
            throw e;
        }
        return c;
    }

    private Member member(String name, String ip, String ip6, String mac) {
        return new Member(name, runId + "-" + name, ipv4(ip), (java.net.Inet6Address) InetAddress.ofLiteral(ip6),
                MacAddress.parse(mac), bpffs.resolve(name));
    }

    private void build() {
        try {
            Files.createDirectories(bpffs);
            Files.createDirectories(logDir);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        StringBuilder sh = new StringBuilder("set -e\n");
        sh.append("ip netns add ").append(lanNetns).append('\n');
        sh.append("ip -n ").append(lanNetns)
                .append(" link add br0 type bridge stp_state 0 forward_delay 0 mcast_snooping 0\n");
        sh.append("ip -n ").append(lanNetns).append(" link set br0 up\n");
        List<Member> all = new ArrayList<>(nodes);
        all.add(client);
        all.add(api);
        for (Member m : all) {
            String ns = m.netns();
            sh.append("ip netns add ").append(ns).append('\n');
            sh.append("ip -n ").append(lanNetns).append(" link add ").append(m.name())
                    .append(" type veth peer name eth0 netns ").append(ns).append('\n');
            sh.append("ip netns exec ").append(ns)
                    .append(" sysctl -qw net.ipv6.conf.all.disable_ipv6=0 net.ipv6.conf.default.disable_ipv6=0\n");
            sh.append("ip -n ").append(ns).append(" link set eth0 address ").append(m.mac()).append('\n');
            sh.append("ip -n ").append(ns).append(" addr add ").append(m.ip().getHostAddress()).append("/24 dev eth0\n");
            sh.append("ip -n ").append(ns).append(" addr add ").append(m.ip6().getHostAddress()).append("/64 dev eth0 nodad\n");
            sh.append("ip -n ").append(ns).append(" link set lo up\n");
            sh.append("ip -n ").append(ns).append(" link set eth0 up\n");
            sh.append("ip -n ").append(lanNetns).append(" link set ").append(m.name()).append(" master br0 up\n");
        }
        sh.append("mount -t bpf bpf ").append(bpffs).append('\n');
        for (Member n : nodes) {
            sh.append("mkdir -p ").append(n.bpfDir()).append('\n');
        }
        HostCommand.run(List.of("sh", "-c", sh.toString()));
    }

    public List<Member> nodes() {
        return List.copyOf(nodes);
    }

    public Member node(String name) {
        return nodes.stream().filter(n -> n.name().equals(name)).findFirst().orElseThrow();
    }

    public Member client() {
        return client;
    }

    public Member api() {
        return api;
    }

    /**
     * Sets the LAN side of {@code member}'s veth administratively up or down: down, the member's {@code eth0} loses
     * its carrier (a veth reports no carrier while its peer is down), as a cable pulled out of a switch port.
     */
    public void carrier(Member member, boolean on) {
        HostCommand.ok("ip", "-n", lanNetns, "link", "set", member.name(), on ? "up" : "down");
    }

    public Path logDir() {
        return logDir;
    }

    public Path workDir() {
        return workDir;
    }

    /**
     * Starts {@code command} as a node: its network namespace, its own mount namespace with sysfs
     * remounted and the node's bpffs directory on /sys/fs/bpf. Through nsenter, unshare and sh
     * {@code exec}, the returned process's PID is the command's own.
     */
    public synchronized Process startOnNode(Member node, List<String> command, Map<String, String> env, String logName) {
        List<String> cmd = new ArrayList<>(List.of("nsenter", "--net=/run/netns/" + node.netns(), "unshare", "--mount",
                "--propagation", "private", "sh", "-c",
                "mount -t sysfs sysfs /sys && mount --bind \"$1\" /sys/fs/bpf && shift && exec \"$@\"", "sh",
                node.bpfDir().toString()));
        cmd.addAll(command);
        return start(cmd, env, logName, false);
    }

    /** Starts {@code command} in a member's network namespace only (host mount namespace). */
    public synchronized Process startInNetns(Member member, List<String> command, String logName, boolean pipeStdout) {
        List<String> cmd = new ArrayList<>(List.of("nsenter", "--net=/run/netns/" + member.netns()));
        cmd.addAll(command);
        return start(cmd, Map.of(), logName, pipeStdout);
    }

    private Process start(List<String> cmd, Map<String, String> env, String logName, boolean pipeStdout) {
        if (closed) {
            throw new IllegalStateException("cluster closed");
        }
        try {
            Path log = logDir.resolve(logName + ".log");
            ProcessBuilder pb = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.appendTo(log.toFile()));
            if (!pipeStdout) {
                pb.redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
            }
            pb.environment().putAll(env);
            Process p = pb.start();
            processes.add(p);
            return p;
        } catch (IOException e) {
            throw new IllegalStateException("cannot start " + cmd, e);
        }
    }

    /**
     * Starts the embedded API ({@code demo-api} of the packaged jar) in the API namespace, with the
     * repository's CRDs installed, and waits until it listens.
     */
    public ApiControl startApiServer(Path agentJar) {
        return startApiServer(agentJar, API_JVM_OPTIONS);
    }

    /**
     * The API server's JVM options beyond the packaged app's own (later options win): it starts from the agent's
     * launcher, whose jvm.options size one small agent (64 MiB heap, C1 only). An API server is the opposite: it
     * holds every object of the cluster (1,000 Services and their Leases in FootprintBenchmark) and serves every
     * agent's writes and watches on one event loop, so it gets a bigger heap and the optimising compiler. With the
     * agent's C1-only code the fault suite's API (500 Services, 3 agents) answered renewals after renewDeadline.
     */
    static final List<String> API_JVM_OPTIONS = List.of("-Xmx768m", "-XX:TieredStopAtLevel=4",
            "-XX:ReservedCodeCacheSize=128m", "-XX:MaxHeapFreeRatio=70");

    /** As {@link #startApiServer(Path)} with the given extra JVM options (a long, busy run wants a bigger heap). */
    public ApiControl startApiServer(Path agentJar, List<String> jvmOptions) {
        List<String> args = new ArrayList<>(List.of("demo-api", API_IP, String.valueOf(API_PORT)));
        Resources.CRD_FILES.forEach(f -> args.add(f.toAbsolutePath().toString()));
        List<String> cmd = PackagedApp.of(agentJar).command(Map.of(PackagedApp.EXTRA_JVM_OPTIONS, String.join(" ", jvmOptions)), args);
        Process p = startInNetns(api, cmd, "mock-api", true);
        return new ApiControl(p, Duration.ofSeconds(90));
    }

    /** A kubeconfig for the agents inside the LAN, pointing at the API server (with a token, as a pod has). */
    public Path writeKubeconfig() {
        return Kubectl.writeKubeconfig(workDir.resolve("kubeconfig-lan"), "http://" + API_IP + ":" + API_PORT, "kube-system",
                "l2a-demo-not-a-secret");
    }

    /** Runs a short command in a member's network namespace (host mount namespace). */
    public String exec(Member member, String... command) {
        return exec(member, true, command);
    }

    /** As {@link #exec(Member, String...)}; {@code mustSucceed=false} for tools like {@code arping -U} that exit 1. */
    public String exec(Member member, boolean mustSucceed, String... command) {
        List<String> cmd = new ArrayList<>(List.of("nsenter", "--net=/run/netns/" + member.netns()));
        cmd.addAll(List.of(command));
        return HostCommand.run(cmd, Duration.ofSeconds(30), mustSucceed);
    }

    /** Runs a short command as the node sees the world (its netns, its /sys, its bpffs). */
    public String execOnNode(Member node, String... command) {
        return execOnNode(node, false, command);
    }

    /** As {@link #execOnNode(Member, String...)}; {@code mustSucceed=true} fails on a non-zero exit. */
    public String execOnNode(Member node, boolean mustSucceed, String... command) {
        List<String> cmd = new ArrayList<>(List.of("nsenter", "--net=/run/netns/" + node.netns(), "unshare", "--mount",
                "--propagation", "private", "sh", "-c",
                "mount -t sysfs sysfs /sys && mount --bind \"$1\" /sys/fs/bpf && shift && exec \"$@\"", "sh",
                node.bpfDir().toString()));
        cmd.addAll(List.of(command));
        return HostCommand.run(cmd, Duration.ofSeconds(30), mustSucceed);
    }

    /** SIGKILL (or SIGTERM when {@code graceful}) to exactly this process, then waits for it to end. */
    public static boolean stop(Process p, boolean graceful, Duration wait) {
        if (graceful) {
            p.destroy();
        } else {
            p.destroyForcibly();
        }
        try {
            return p.waitFor(wait.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        for (Process p : processes) {
            if (p.isAlive()) {
                p.descendants().forEach(ProcessHandle::destroyForcibly);
                stop(p, false, Duration.ofSeconds(10));
            }
        }
        List<String> names = new ArrayList<>();
        nodes.forEach(n -> names.add(n.netns()));
        names.add(client.netns());
        names.add(api.netns());
        names.add(lanNetns);
        removeRun(names, workDir);
        try {
            Runtime.getRuntime().removeShutdownHook(shutdownHook);
        } catch (IllegalStateException ignored) {
            // already shutting down: we are the hook
        }
    }

    private static void removeRun(List<String> netnsNames, Path dir) {
        for (String ns : netnsNames) {
            if (Files.exists(Path.of("/run/netns", ns))) {
                HostCommand.run(List.of("ip", "netns", "del", ns), Duration.ofSeconds(30), false);
            }
        }
        Path fs = dir.resolve("bpffs");
        if (isMountPoint(fs)) {
            HostCommand.run(List.of("umount", fs.toString()), Duration.ofSeconds(30), false);
        }
        if (!isMountPoint(fs)) {
            deleteTree(dir);
        }
    }

    private static boolean isMountPoint(Path p) {
        try {
            return Files.readAllLines(Path.of("/proc/self/mounts")).stream()
                    .anyMatch(l -> l.split(" ")[1].equals(p.toString()));
        } catch (IOException e) {
            return false;
        }
    }

    /** Removes namespaces and bpffs mounts of earlier runs whose JVM is gone (crash, kill -9). */
    static void sweepStaleRuns() {
        Path run = Path.of("/run/netns");
        List<String> all;
        try (Stream<Path> s = Files.exists(run) ? Files.list(run) : Stream.empty()) {
            all = s.map(p -> p.getFileName().toString()).filter(n -> n.startsWith(PREFIX)).toList();
        } catch (IOException e) {
            return;
        }
        List<Long> pids = new ArrayList<>();
        try (Stream<Path> s = Files.list(Path.of("/tmp"))) {
            s.map(p -> p.getFileName().toString()).filter(n -> n.matches(PREFIX + "\\d+")).forEach(
                    n -> pids.add(Long.parseLong(n.substring(PREFIX.length()))));
        } catch (IOException ignored) {
            // nothing to sweep
        }
        for (String n : all) {
            String rest = n.substring(PREFIX.length());
            int dash = rest.indexOf('-');
            if (dash > 0 && rest.substring(0, dash).matches("\\d+")) {
                long pid = Long.parseLong(rest.substring(0, dash));
                if (!pids.contains(pid)) {
                    pids.add(pid);
                }
            }
        }
        for (long pid : pids) {
            if (pid == ProcessHandle.current().pid() || ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)) {
                continue;
            }
            String id = PREFIX + pid + "-";
            removeRun(all.stream().filter(n -> n.startsWith(id)).toList(), Path.of("/tmp", PREFIX + pid));
        }
    }

    private static void deleteTree(Path dir) {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> s = Files.walk(dir)) {
            s.sorted(Comparator.reverseOrder()).forEach(p -> {
                try {
                    Files.deleteIfExists(p);
                } catch (IOException ignored) {
                    // best effort
                }
            });
        } catch (IOException ignored) {
            // best effort
        }
    }

    static Inet4Address ipv4(String s) {
        try {
            return (Inet4Address) InetAddress.getByName(s);
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException(s, e);
        }
    }
}
