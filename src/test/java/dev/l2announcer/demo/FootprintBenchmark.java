package dev.l2announcer.demo;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.locks.LockSupport;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Issue 17: what one packaged agent costs. Three agent processes in node namespaces on the e2e LAN, the
 * mock API, Cilium's default timings (15s/5s/2s). For each variant (JVM options + packaging):
 * <ol>
 *   <li>hold 100 Services, warm up, then over a window: CPU per second, RSS (anon/file), heap, live
 *       JVM threads and OS threads by pool, per agent;</li>
 *   <li>start -> ready: restart one agent {@code footprint.starts} times (SIGTERM, wait, start) and time
 *       process start to the first 200 of {@code /q/health/ready} (polled every 20 ms in its netns);</li>
 *   <li>hold 1,000 Services (the documentation ranges give 756 usable IPv4 addresses, so 244 pairs of
 *       Services share an IP: 756 Leases) and sample again.</li>
 * </ol>
 * With several variants, a last round times start -> ready of all of them in one cluster, interleaved,
 * so that the machine's load (shared, noisy) is the same for each.
 * Variants: {@code before} = the packaged app of {@code footprint.before.app} (default: this build)
 * started with the JVM options the Dockerfile had before issue 17; {@code after} = this build's
 * launcher ({@link AgentCluster}'s default: the same as the image). Extra variants for lever
 * experiments: {@code -Dfootprint.try.NAME="jvm options"} (this build's jar, those options; words
 * {@code env:K=V} set environment variables) and {@code -Dfootprint.app.NAME=DIR} (the launcher of another
 * packaged app directory, e.g. a copy without app.aot or with the image build's unprivileged cache).
 * Prints {@code FOOTPRINT} lines and a table, also written to {@code target/footprint-summary.md}.
 *
 * <p>Run (root, packaged agent; shares the e2e lock): {@code ./mvnw -B package -DskipTests && flock
 * /tmp/l2a-root-tests.lock ./mvnw -B test -Pbench -Dtest=FootprintBenchmark}. Knobs:
 * {@code footprint.variants} (before,after), {@code footprint.services} (100,1000),
 * {@code footprint.starts} (10), {@code footprint.interleavedStarts} (10), {@code footprint.startsAt} (100),
 * {@code footprint.warmupSeconds} (60), {@code footprint.windowSeconds} (60).
 */
@Tag("benchmark")
class FootprintBenchmark {
    static final Path APP = Path.of("target", "quarkus-app");
    static final AgentCluster.Timings CILIUM_DEFAULTS = new AgentCluster.Timings(Duration.ofSeconds(15),
            Duration.ofSeconds(5), Duration.ofSeconds(2));
    /** The Dockerfile's ENTRYPOINT options before issue 17 (JVM defaults otherwise). */
    static final List<String> OPTIONS_BEFORE = List.of("--enable-native-access=ALL-UNNAMED", "-XX:+ExitOnOutOfMemoryError");

    static final int AGENTS = 3;
    /** Service counts held, one after the other ("none": only the interleaved start -> ready round). */
    static final List<Integer> SERVICES = Arrays.stream(System.getProperty("footprint.services", "100,1000").split(","))
            .map(String::trim).filter(w -> !w.equals("none")).map(Integer::parseInt).toList();
    static final int STARTS = Integer.getInteger("footprint.starts", 10);
    /** The Service count at which the restarts are timed. */
    static final int STARTS_AT = Integer.getInteger("footprint.startsAt", 100);
    /** Restarts per variant in the interleaved round (all variants in one cluster, same load). */
    static final int INTERLEAVED_STARTS = Integer.getInteger("footprint.interleavedStarts", 10);
    static final Duration WARMUP = Duration.ofSeconds(Integer.getInteger("footprint.warmupSeconds", 60));
    static final Duration WINDOW = Duration.ofSeconds(Integer.getInteger("footprint.windowSeconds", 60));

    record Variant(String name, List<String> command) {
    }

    /** One agent's figures at the end of a window. */
    record Sample(String node, double cpuPercent, AgentProcessStats.Memory memory, double heapUsedMib,
                  double heapCommittedMib, double liveDataMib, double nonHeapUsedMib, int jvmThreads,
                  Map<String, Integer> osThreads) {
        int osThreadCount() {
            return osThreads.values().stream().mapToInt(Integer::intValue).sum();
        }
    }

    private final Map<String, Map<String, String>> table = new LinkedHashMap<>();
    /** Per variant and scenario: the first agent's threads by name and CPU by thread (for the summary). */
    private static final List<String> NOTES = new java.util.concurrent.CopyOnWriteArrayList<>();

    @Test
    void figures() throws IOException {
        assumeTrue(HostCommand.isRoot(), "the footprint benchmark runs agents in network namespaces: needs root");
        List<Variant> variants = variants();
        for (Variant v : variants) {
            run(v);
        }
        interleavedStarts(variants);
        StringBuilder md = new StringBuilder("| figure | " + String.join(" | ", table.keySet()) + " |\n|---|");
        table.keySet().forEach(k -> md.append("---:|"));
        md.append('\n');
        Set<String> figures = new LinkedHashSet<>();
        table.values().forEach(m -> figures.addAll(m.keySet()));
        for (String f : figures) {
            md.append("| ").append(f).append(" |");
            for (Map<String, String> col : table.values()) {
                md.append(' ').append(col.getOrDefault(f, "-")).append(" |");
            }
            md.append('\n');
        }
        String text = "l2-announcer footprint (" + AGENTS + " agents, lease 15s/5s/2s, mock API; load average at end: "
                + Files.readString(Path.of("/proc/loadavg")).trim() + ")\n\n" + md + "\n" + String.join("\n", NOTES) + "\n";
        System.out.println("\n" + text);
        Files.createDirectories(Path.of("target"));
        Files.writeString(Path.of("target", "footprint-summary.md"), text);
    }

    static List<Variant> variants() {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Path beforeApp = Path.of(System.getProperty("footprint.before.app", APP.toString()));
        List<Variant> out = new ArrayList<>();
        for (String name : System.getProperty("footprint.variants", "before,after").split(",")) {
            switch (name.trim()) {
                case "before" -> {
                    List<String> cmd = new ArrayList<>(List.of(java));
                    cmd.addAll(OPTIONS_BEFORE);
                    cmd.addAll(List.of("-jar", beforeApp.resolve("quarkus-run.jar").toAbsolutePath().toString()));
                    out.add(new Variant("before", cmd));
                }
                case "after" -> out.add(new Variant("after", new PackagedApp(APP).command(Map.of(), List.of())));
                case "" -> {
                }
                default -> throw new IllegalArgumentException("unknown variant " + name);
            }
        }
        new TreeMap<>(System.getProperties()).forEach((k, val) -> {
            if (k.toString().startsWith("footprint.app.")) {
                // Another packaged app directory (e.g. a copy without app.aot) through its own launcher.
                out.add(new Variant(k.toString().substring("footprint.app.".length()),
                        new PackagedApp(Path.of(val.toString())).command(Map.of(), List.of())));
            }
            if (k.toString().startsWith("footprint.try.")) {
                // "env:NAME=VALUE" words become an env(1) prefix (e.g. env:MALLOC_ARENA_MAX=2), the rest JVM options.
                List<String> words = Arrays.stream(val.toString().trim().split("\\s+")).filter(s -> !s.isEmpty()).toList();
                List<String> cmd = new ArrayList<>();
                words.stream().filter(w -> w.startsWith("env:")).findAny().ifPresent(w -> cmd.add("env"));
                words.stream().filter(w -> w.startsWith("env:")).forEach(w -> cmd.add(w.substring(4)));
                cmd.add(java);
                cmd.addAll(words.stream().filter(w -> !w.startsWith("env:")).toList());
                cmd.addAll(List.of("-jar", APP.resolve("quarkus-run.jar").toAbsolutePath().toString()));
                out.add(new Variant(k.toString().substring("footprint.try.".length()), cmd));
            }
        });
        return out;
    }

    void run(Variant v) throws IOException {
        System.out.println("FOOTPRINT variant " + v.name() + ": " + v.command());
        Map<String, String> col = table.computeIfAbsent(v.name(), k -> new LinkedHashMap<>());
        if (SERVICES.isEmpty()) {
            return;
        }
        try (AgentCluster c = AgentCluster.create(AGENTS, APP.resolve("quarkus-run.jar"), CILIUM_DEFAULTS,
                Path.of("target", "footprint-logs", v.name()))) {
            c.agentCommand(v.command());
            // Cilium's sizing rule (#services / renewDeadline) for the largest run, so no agent is throttled.
            int maxServices = SERVICES.stream().mapToInt(Integer::intValue).max().orElse(100);
            c.configure("k8s-client-qps", String.valueOf(Math.max(20, maxServices / 5)));
            c.configure("k8s-client-burst", String.valueOf(Math.max(40, 2 * maxServices / 5)));
            c.api().policy(Resources.POLICY);
            List<String> pool = vipPool(c);
            int created = 0;
            boolean started = false;
            for (int n : SERVICES) {
                created = createServices(c, pool, created, n);
                if (!started) {
                    Map<String, Long> t0 = new LinkedHashMap<>();
                    for (String node : c.nodeNames()) {
                        t0.put(node, System.nanoTime());
                        c.startAgent(node);
                    }
                    for (String node : c.nodeNames()) {
                        awaitReady(c, node, t0.get(node), Duration.ofSeconds(180));
                    }
                    started = true;
                }
                int leases = Math.min(n, pool.size());
                awaitHeld(c, leases, Duration.ofSeconds(120));
                sleep(WARMUP);
                jcmd(c, "JFR.start name=footprint settings=profile", Boolean.getBoolean("footprint.jfr"));
                List<Sample> samples = sample(c, WINDOW, v.name() + ", " + n + " Services");
                jcmd(c, "JFR.dump name=footprint filename=" + Path.of("target").toAbsolutePath().resolve(
                        "footprint-" + v.name() + "-" + n + ".jfr"), Boolean.getBoolean("footprint.jfr"));
                record(col, n + " Services (" + leases + " Leases)", samples);
                col.put("host load average 1/5/15 min after the window, " + n + " Services",
                        String.join(" ", Arrays.copyOf(Files.readString(Path.of("/proc/loadavg")).split(" "), 3)));
                diagnose(c, v.name() + "-" + n);
                if (n == STARTS_AT && STARTS > 0) {
                    startToReady(c, col, n);
                }
            }
        }
    }

    /**
     * {@code -Dfootprint.jcmd="Thread.print;VM.native_memory summary"}: jcmd commands run against the first
     * agent after a sample (for finding where memory and threads go), saved next to the agent logs.
     */
    static void diagnose(AgentCluster c, String label) {
        if (Boolean.getBoolean("footprint.sigquit")) {
            // With -XX:+PrintClassHistogram in the variant: thread dump and class histogram into the agent log.
            HostCommand.run(List.of("kill", "-QUIT", String.valueOf(c.agent(c.nodeNames().getFirst()).pid())));
            sleep(Duration.ofSeconds(10));
        }
        String commands = System.getProperty("footprint.jcmd", "");
        if (commands.isBlank()) {
            return;
        }
        String jcmd = Path.of(System.getProperty("java.home"), "bin", "jcmd").toString();
        long pid = c.agent(c.nodeNames().getFirst()).pid();
        try {
            Files.copy(Path.of("/proc", String.valueOf(pid), "smaps"), c.net().logDir().resolve("smaps-" + label + ".txt"),
                    java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        for (String command : commands.split(";")) {
            List<String> cmd = new ArrayList<>(List.of(jcmd, String.valueOf(pid)));
            cmd.addAll(Arrays.asList(command.trim().split("\\s+")));
            String out = HostCommand.run(cmd, Duration.ofSeconds(120), false);
            try {
                Files.writeString(c.net().logDir().resolve("jcmd-" + label + "-" + command.trim().replaceAll("\\W+", "_")
                        + ".txt"), out);
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        }
    }

    static void jcmd(AgentCluster c, String command, boolean enabled) {
        if (enabled) {
            List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "jcmd").toString(),
                    String.valueOf(c.agent(c.nodeNames().getFirst()).pid())));
            cmd.addAll(Arrays.asList(command.split(" ")));
            System.out.println("FOOTPRINT jcmd " + command + ": " + HostCommand.run(cmd, Duration.ofSeconds(30), false).trim());
        }
    }

    /** Documentation IPv4 addresses not used by the LAN's members. */
    static List<String> vipPool(AgentCluster c) {
        Set<String> taken = new LinkedHashSet<>(List.of(NetnsCluster.CLIENT_IP, NetnsCluster.PROBER_IP, NetnsCluster.API_IP));
        c.net().nodes().forEach(n -> taken.add(n.ip().getHostAddress()));
        List<String> pool = new ArrayList<>();
        for (String net : List.of("198.51.100.", "203.0.113.", "192.0.2.")) {
            for (int h = 1; h <= 254; h++) {
                if (!taken.contains(net + h)) {
                    pool.add(net + h);
                }
            }
        }
        return pool;
    }

    static int createServices(AgentCluster c, List<String> pool, int from, int to) {
        for (int i = from; i < to; i++) {
            String name = String.format("svc-%04d", i);
            String ip = pool.get(i % pool.size());
            c.api().service(Resources.service(name, ip));
            c.api().serviceLoadBalancerIp("default", name, ip);
        }
        return to;
    }

    static void awaitHeld(AgentCluster c, int leases, Duration within) {
        long deadline = System.nanoTime() + within.toNanos();
        long held = 0;
        while (System.nanoTime() < deadline) {
            held = c.api().leases(AgentCluster.LEASE_NAMESPACE).values().stream().filter(h -> !h.equals("-")).count();
            if (held >= leases) {
                System.out.printf("FOOTPRINT %d leases held%n", held);
                return;
            }
            sleep(Duration.ofSeconds(1));
        }
        throw new IllegalStateException("only " + held + " of " + leases + " leases held after " + within);
    }

    /** Milliseconds from process start to the first HTTP 200 of /q/health/ready. */
    static long awaitReady(AgentCluster c, String node, long t0, Duration within) {
        String netns = c.net().node(node).netns();
        while (System.nanoTime() - t0 < within.toNanos()) {
            if (!c.agent(node).isAlive()) {
                throw new IllegalStateException("agent on " + node + " exited; see " + c.net().logDir());
            }
            if (AgentProcessStats.get(netns, AgentCluster.DEBUG_PORT, "/q/health/ready", 500).status() == 200) {
                return (System.nanoTime() - t0) / 1_000_000;
            }
            LockSupport.parkNanos(Duration.ofMillis(20).toNanos());
        }
        throw new IllegalStateException("agent on " + node + " not ready after " + within);
    }

    void startToReady(AgentCluster c, Map<String, String> col, int services) {
        String node = c.nodeNames().getFirst();
        long[] ms = new long[STARTS];
        for (int i = 0; i < STARTS; i++) {
            c.stopAgent(node, true);
            if (!c.awaitExit(node, Duration.ofSeconds(30))) {
                throw new IllegalStateException("agent on " + node + " did not stop");
            }
            sleep(Duration.ofSeconds(2));
            long t0 = System.nanoTime();
            c.startAgent(node);
            ms[i] = awaitReady(c, node, t0, Duration.ofSeconds(120));
            System.out.printf("FOOTPRINT start->ready #%d: %d ms%n", i + 1, ms[i]);
        }
        long[] s = ms.clone();
        Arrays.sort(s);
        col.put("start -> ready, median (min-max) of " + STARTS + ", " + services + " Services",
                String.format("%d ms (%d-%d)", median(s), s[0], s[s.length - 1]));
        System.out.println("FOOTPRINT start->ready all: " + Arrays.toString(ms));
    }

    /**
     * Start -> ready of every variant under the same machine load (other work on a shared machine moves
     * it by seconds between runs): one cluster whose other agents hold {@code footprint.startsAt}
     * Services, its first node restarted with each variant's command in turn, the order rotating.
     */
    void interleavedStarts(List<Variant> variants) {
        if (variants.size() < 2 || INTERLEAVED_STARTS <= 0) {
            return;
        }
        try (AgentCluster c = AgentCluster.create(AGENTS, APP.resolve("quarkus-run.jar"), CILIUM_DEFAULTS,
                Path.of("target", "footprint-logs", "interleaved"))) {
            c.configure("k8s-client-qps", "200");
            c.configure("k8s-client-burst", "400");
            c.api().policy(Resources.POLICY);
            createServices(c, vipPool(c), 0, STARTS_AT);
            Map<String, Long> t0 = new LinkedHashMap<>();
            for (String node : c.nodeNames()) {
                t0.put(node, System.nanoTime());
                c.startAgent(node);
            }
            for (String node : c.nodeNames()) {
                awaitReady(c, node, t0.get(node), Duration.ofSeconds(180));
            }
            awaitHeld(c, STARTS_AT, Duration.ofSeconds(120));
            String node = c.nodeNames().getFirst();
            Map<String, List<Long>> ms = new LinkedHashMap<>();
            for (int round = 0; round < INTERLEAVED_STARTS; round++) {
                for (int k = 0; k < variants.size(); k++) {
                    Variant v = variants.get((round + k) % variants.size());
                    c.stopAgent(node, true);
                    if (!c.awaitExit(node, Duration.ofSeconds(30))) {
                        throw new IllegalStateException("agent on " + node + " did not stop");
                    }
                    sleep(Duration.ofSeconds(2));
                    c.agentCommand(v.command());
                    long start = System.nanoTime();
                    c.startAgent(node);
                    long took = awaitReady(c, node, start, Duration.ofSeconds(120));
                    ms.computeIfAbsent(v.name(), x -> new ArrayList<>()).add(took);
                    System.out.printf("FOOTPRINT interleaved start->ready %s #%d: %d ms%n", v.name(), round + 1, took);
                }
            }
            ms.forEach((name, list) -> {
                long[] sorted = list.stream().mapToLong(Long::longValue).sorted().toArray();
                table.get(name).put("start -> ready, interleaved with the other variants, median (min-max) of "
                                + sorted.length + ", " + STARTS_AT + " Services",
                        String.format("%d ms (%d-%d)", median(sorted), sorted[0], sorted[sorted.length - 1]));
                System.out.println("FOOTPRINT interleaved start->ready " + name + " all: " + list);
            });
        }
    }

    static long median(long[] sorted) {
        int n = sorted.length;
        return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
    }

    static List<Sample> sample(AgentCluster c, Duration window, String label) {
        Map<String, Double> cpu0 = new LinkedHashMap<>();
        Map<String, Map<Long, AgentProcessStats.ThreadCpu>> threads0 = new LinkedHashMap<>();
        for (String node : c.nodeNames()) {
            cpu0.put(node, AgentProcessStats.cpuSeconds(c.agent(node).pid()));
            threads0.put(node, AgentProcessStats.cpuByThread(c.agent(node).pid()));
        }
        long t0 = System.nanoTime();
        sleep(window);
        double seconds = (System.nanoTime() - t0) / 1e9;
        List<Sample> out = new ArrayList<>();
        for (String node : c.nodeNames()) {
            long pid = c.agent(node).pid();
            double cpu = (AgentProcessStats.cpuSeconds(pid) - cpu0.get(node)) / seconds * 100;
            Map<String, String> byThread = new TreeMap<>();
            AgentProcessStats.cpuDeltaByName(threads0.get(node), AgentProcessStats.cpuByThread(pid))
                    .forEach((name, sec) -> byThread.put(name, String.format("%.2f%%", sec / seconds * 100)));
            System.out.printf("FOOTPRINT %s: cpu by thread %s%n", node, byThread);
            if (node.equals(c.nodeNames().getFirst())) {
                NOTES.add("- " + label + ", " + node + ": CPU by thread " + byThread + "; OS threads "
                        + AgentProcessStats.threadsByName(pid));
            }
            AgentProcessStats.Memory mem = AgentProcessStats.memory(pid);
            Map<String, Integer> threads = AgentProcessStats.threadsByName(pid);
            String metrics = AgentProcessStats.get(c.net().node(node).netns(), AgentCluster.DEBUG_PORT, "/q/metrics", 5000).body();
            double mib = 1024 * 1024;
            Sample s = new Sample(node, cpu, mem,
                    AgentProcessStats.metric(metrics, "jvm_memory_used_bytes", "area=\"heap\"") / mib,
                    AgentProcessStats.metric(metrics, "jvm_memory_committed_bytes", "area=\"heap\"") / mib,
                    AgentProcessStats.metric(metrics, "jvm_gc_live_data_size_bytes", "") / mib,
                    AgentProcessStats.metric(metrics, "jvm_memory_used_bytes", "area=\"nonheap\"") / mib,
                    (int) AgentProcessStats.metric(metrics, "jvm_threads_live_threads", ""), threads);
            System.out.printf("FOOTPRINT %s: cpu %.2f%% rss %d KiB (anon %d, file %d) heap used %.1f MiB committed %.1f"
                            + " live-data %.1f nonheap %.1f jvm-threads %d os-threads %d %s%n", node, s.cpuPercent(),
                    mem.rssKib(), mem.anonKib(), mem.fileKib(), s.heapUsedMib(), s.heapCommittedMib(), s.liveDataMib(),
                    s.nonHeapUsedMib(), s.jvmThreads(), s.osThreadCount(), threads);
            out.add(s);
        }
        return out;
    }

    static void record(Map<String, String> col, String scenario, List<Sample> samples) {
        col.put("RSS MiB, max of agents, " + scenario, String.format("%.1f", samples.stream()
                .mapToLong(s -> s.memory().rssKib()).max().orElse(0) / 1024.0));
        col.put("  anon / file MiB (that agent), " + scenario, samples.stream().max((a, b) -> Long.compare(a.memory().rssKib(),
                b.memory().rssKib())).map(s -> String.format("%.1f / %.1f", s.memory().anonKib() / 1024.0,
                s.memory().fileKib() / 1024.0)).orElse("-") + " ");
        col.put("heap used / committed / live after GC MiB, max, " + scenario, String.format("%.1f / %.1f / %.1f",
                samples.stream().mapToDouble(Sample::heapUsedMib).max().orElse(0),
                samples.stream().mapToDouble(Sample::heapCommittedMib).max().orElse(0),
                samples.stream().mapToDouble(Sample::liveDataMib).max().orElse(0)));
        col.put("non-heap used MiB, max, " + scenario, String.format("%.1f",
                samples.stream().mapToDouble(Sample::nonHeapUsedMib).max().orElse(0)));
        col.put("CPU % of a core, median of agents (min-max), " + scenario, percentiles(samples.stream()
                .mapToDouble(Sample::cpuPercent).sorted().toArray()));
        col.put("live JVM threads / OS threads, max, " + scenario, samples.stream().mapToInt(Sample::jvmThreads).max()
                .orElse(0) + " / " + samples.stream().mapToInt(Sample::osThreadCount).max().orElse(0));
    }

    static String percentiles(double[] sorted) {
        return String.format("%.2f (%.2f-%.2f)", sorted[sorted.length / 2], sorted[0], sorted[sorted.length - 1]);
    }

    static void sleep(Duration d) {
        long end = System.nanoTime() + d.toNanos();
        long left;
        while ((left = end - System.nanoTime()) > 0) {
            LockSupport.parkNanos(left);
        }
    }
}
