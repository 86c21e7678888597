package dev.l2announcer.demo;

import dev.l2announcer.demo.api.EmbeddedApiServer;
import dev.l2announcer.observability.DebugViews;
import dev.l2announcer.policy.CiliumL2AnnouncementPolicy;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.utils.Serialization;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.stream.Stream;

/**
 * The training run of the agent's AOT cache (JEP 483/514/515): starts the packaged agent through its
 * launcher with {@code L2A_AOT_CACHE_OUTPUT} against the embedded API (in this JVM, on loopback),
 * drives it through start-up, readiness, Lease elections, Service changes, metrics and every debug view,
 * then stops it with SIGTERM; the JVM writes {@code app.aot} next to the launcher on exit.
 *
 * <p>Run by the build ({@code mvn package}, after the Quarkus build) and by the image build (in the
 * runtime stage, so the cache matches the JRE that runs it), from the packaged jar itself: {@code java
 * -cp target/quarkus-app/quarkus-run.jar dev.l2announcer.demo.AotTraining target/quarkus-app CRD_FILE
 * [LOG_FILE]}. Nothing is announced outside this run: as root
 * the run re-executes itself in a private network and mount namespace (unshare) with a veth pair and
 * a private bpffs, so the datapath is trained for real and dies with the namespace; otherwise (no
 * privileges: no BPF, no raw sockets) the agent is given a device filter that matches nothing.
 */
public final class AotTraining {
    static final String NODE = "aot-training";
    static final String CACHE = "app.aot";
    private static final String ISOLATED = "L2A_AOT_TRAINING_ISOLATED";
    private static final Duration STEP = Duration.ofSeconds(60);

    private AotTraining() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length < 2) {
            System.err.println("usage: AotTraining APP_DIR CRD_FILE [LOG_FILE]");
            System.exit(2);
        }
        Path app = Path.of(args[0]).toAbsolutePath();
        Path crd = Path.of(args[1]).toAbsolutePath();
        // The agent's output; by default in the run's temporary directory (printed if the run fails).
        Path logFile = args.length > 2 ? Path.of(args[2]).toAbsolutePath() : null;
        boolean isolated = System.getenv(ISOLATED) != null;
        if (HostCommand.isRoot() && !isolated && canIsolate()) {
            System.exit(reexecIsolated(args));
        }
        // Without namespaces (not root, or a container without CAP_SYS_ADMIN such as an image build):
        // no BPF either, so the agent stops at the datapath; the cache then covers start-up up to there.
        System.exit(train(new PackagedApp(app), crd, logFile, isolated));
    }

    private static boolean canIsolate() throws InterruptedException {
        try {
            Process p = new ProcessBuilder("unshare", "--net", "--mount", "true").redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            return p.waitFor(30, TimeUnit.SECONDS) && p.exitValue() == 0;
        } catch (IOException e) {
            return false;
        }
    }

    /** As root: the same run in a fresh network + mount namespace (loopback, a veth pair, a private bpffs). */
    private static int reexecIsolated(String[] args) throws IOException, InterruptedException {
        Path work = Files.createTempDirectory("l2a-aot-");
        String setup = "set -e; mkdir " + work.resolve("bpf") + "; mount -t bpf bpf " + work.resolve("bpf") + ";"
                + " ip link set lo up;"
                + " ip link add eth0 type veth peer name eth1; ip link set eth1 up; ip link set eth0 up;"
                + " ip addr add 192.0.2.11/24 dev eth0; exec \"$@\"";
        List<String> cmd = new ArrayList<>(List.of("unshare", "--net", "--mount", "--propagation", "private",
                "sh", "-c", setup, "sh", javaBin()));
        cmd.addAll(ManagementFactory.getRuntimeMXBean().getInputArguments());
        cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), AotTraining.class.getName()));
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).inheritIO();
        pb.environment().put(ISOLATED, work.toString());
        int rc = pb.start().waitFor();
        deleteTree(work);
        return rc;
    }

    static int train(PackagedApp app, Path crd, Path logFile, boolean isolated) throws Exception {
        if (!app.isPackaged()) {
            System.err.println("aot-training: no packaged app with its launcher in " + app.dir());
            return 2;
        }
        Path work = isolated ? Path.of(System.getenv(ISOLATED)) : Files.createTempDirectory("l2a-aot-");
        Path output = app.dir().resolve(CACHE + ".new");
        Files.deleteIfExists(output);
        Path log = logFile != null ? logFile : work.resolve("agent.log");
        EmbeddedApiServer server = EmbeddedApiServer.start(InetAddress.getLoopbackAddress(), 0, List.of(crd));
        Process agent = null;
        try (KubernetesClient client = server.client()) {
            seed(client);
            int port = freePort();
            Path config = writeConfig(work, isolated);
            Path kubeconfig = Kubectl.writeKubeconfig(work.resolve("kubeconfig"), server.url(), "kube-system",
                    "aot-training-not-a-secret");
            ProcessBuilder pb = new ProcessBuilder(app.command(Map.of(), List.of("--node-name=" + NODE,
                    "--config-dir=" + config, "--bpf-pin-dir=" + work.resolve(isolated ? "bpf/pins" : "pins"))))
                    .redirectErrorStream(true).redirectOutput(log.toFile());
            Map<String, String> env = pb.environment();
            env.put("KUBECONFIG", kubeconfig.toString());
            env.put("NODE_NAME", NODE);
            env.put("POD_NAMESPACE", "kube-system");
            env.put("QUARKUS_HTTP_PORT", String.valueOf(port));
            env.put("L2A_AOT_CACHE_OUTPUT", output.toString());
            long t0 = System.nanoTime();
            agent = pb.start();
            exercise(agent, client, port, isolated);
            agent.destroy(); // SIGTERM (or it already stopped): graceful stop, then the JVM assembles the cache
            if (!agent.waitFor(180, TimeUnit.SECONDS)) {
                throw new IllegalStateException("agent did not exit after SIGTERM; see " + log);
            }
            if (!Files.isRegularFile(output) || Files.size(output) == 0) {
                throw new IllegalStateException("no AOT cache written; see " + log);
            }
            Path cache = app.dir().resolve(CACHE);
            Files.move(output, cache, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            System.out.printf("aot-training: %s written (%d MiB, %s, %.0f s; log %s)%n", cache, Files.size(cache) >> 20, isolated ? "isolated netns with datapath" : "no datapath",
                    (System.nanoTime() - t0) / 1e9, log);
            return 0;
        } catch (RuntimeException e) {
            System.err.println("aot-training failed: " + e.getMessage() + "; the agent's last lines:");
            try (Stream<String> lines = Files.lines(log)) {
                List<String> all = lines.toList();
                all.subList(Math.max(0, all.size() - 40), all.size()).forEach(System.err::println);
            } catch (IOException | java.io.UncheckedIOException ignored) {
                // no log
            }
            return 1;
        } finally {
            if (agent != null && agent.isAlive()) {
                agent.destroyForcibly();
            }
            server.close();
            if (!isolated) {
                deleteTree(work);
            }
        }
    }

    /** A Node, a policy and a few LoadBalancer Services with their IPs. */
    private static void seed(KubernetesClient c) {
        EmbeddedApiServer.createReadyNode(c, NODE, Map.of("topology.kubernetes.io/zone", "aot"));
        c.resources(CiliumL2AnnouncementPolicy.class).resource(Serialization.unmarshal("""
                apiVersion: cilium.io/v2alpha1
                kind: CiliumL2AnnouncementPolicy
                metadata:
                  name: aot-training
                spec:
                  serviceSelector:
                    matchLabels:
                      color: blue
                  interfaces:
                    - ^eth[0-9]+
                  externalIPs: true
                  loadBalancerIPs: true
                """, CiliumL2AnnouncementPolicy.class)).create();
        for (int i = 1; i <= 10; i++) {
            service(c, "web-" + i, "198.51.100." + i);
        }
    }

    /** Built here, not from {@link Resources} (which reads deploy/, absent from the image build's context). */
    private static void service(KubernetesClient c, String name, String ip) {
        c.services().resource(new ServiceBuilder().withNewMetadata().withName(name).withNamespace("default")
                .addToLabels("color", "blue").endMetadata()
                .withNewSpec().withType("LoadBalancer").addToSelector("app", name)
                .addNewPort().withName("http").withProtocol("TCP").withPort(80).endPort().endSpec().build()).create();
        EmbeddedApiServer.setLoadBalancerIp(c, "default", name, ip);
    }

    /** What the agent does in production, once each: start, sync, elect, react to changes, serve every endpoint. */
    private static void exercise(Process agent, KubernetesClient c, int port, boolean isolated) throws Exception {
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
        String base = "http://127.0.0.1:" + port;
        if (!isolated) {
            // Unprivileged, the agent exits when it cannot load its BPF program: train what runs until then.
            await("agent live or stopped at the datapath", () -> !agent.isAlive()
                    || get(http, base + "/q/health/live") == 200);
            if (!agent.isAlive()) {
                return;
            }
        }
        await("agent live", agent, () -> get(http, base + "/q/health/live") == 200);
        if (isolated) {
            // Datapath attached, informers synced, elected: the holder's paths (map, GARP, renewals) run.
            await("agent ready", agent, () -> get(http, base + "/q/health/ready") == 200);
            await("leases held", agent, () -> c.leases().inNamespace("kube-system").list().getItems().stream()
                    .filter(l -> l.getSpec() != null && NODE.equals(l.getSpec().getHolderIdentity())).count() >= 10);
        }
        Service changed = c.services().inNamespace("default").withName("web-1").get();
        changed.getMetadata().getLabels().put("aot", "changed");
        c.services().resource(changed).update();
        c.services().inNamespace("default").withName("web-2").delete();
        service(c, "web-11", "198.51.100.11");
        pause(Duration.ofSeconds(5));
        for (String path : Stream.concat(Stream.of("/q/health", "/q/health/ready", "/q/health/live", "/q/metrics",
                "/debug", "/debug/health"), DebugViews.NAMES.stream().map(v -> "/debug/" + v))
                .toList()) {
            get(http, base + path);
        }
        pause(Duration.ofSeconds(3));
    }

    private static int get(HttpClient http, String url) {
        try {
            return http.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(5)).build(),
                    HttpResponse.BodyHandlers.discarding()).statusCode();
        } catch (IOException e) {
            return -1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return -1;
        }
    }

    private static void await(String what, Process agent, BooleanSupplier done) {
        await(what, () -> {
            if (!agent.isAlive()) {
                throw new IllegalStateException("agent exited while waiting for: " + what);
            }
            return done.getAsBoolean();
        });
    }

    private static void await(String what, BooleanSupplier done) {
        long deadline = System.nanoTime() + STEP.toNanos();
        while (System.nanoTime() < deadline) {
            if (done.getAsBoolean()) {
                return;
            }
            pause(Duration.ofMillis(200));
        }
        throw new IllegalStateException("timed out waiting for: " + what);
    }

    private static Path writeConfig(Path work, boolean isolated) throws IOException {
        Path dir = work.resolve("config");
        Files.createDirectories(dir);
        Map<String, String> keys = new LinkedHashMap<>();
        keys.put("enable-l2-announcements", "true");
        // Short timings so renewals happen many times within the run.
        keys.put("l2-announcements-lease-duration", "3s");
        keys.put("l2-announcements-renew-deadline", "1s");
        keys.put("l2-announcements-retry-period", "200ms");
        keys.put("l2-announcements-lease-namespace", "kube-system");
        keys.put("k8s-client-qps", "100");
        keys.put("k8s-client-burst", "200");
        // Not isolated: a device filter nothing matches, so the agent campaigns and announces nowhere.
        keys.put("devices", isolated ? "eth0" : "l2a-aot-training-no-device");
        for (var e : keys.entrySet()) {
            Files.writeString(dir.resolve(e.getKey()), e.getValue());
        }
        return dir;
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    private static String javaBin() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }

    private static void pause(Duration d) {
        try {
            Thread.sleep(d);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void deleteTree(Path dir) {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> s = Files.walk(dir)) {
            s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException ignored) {
            // best effort
        }
    }
}
