package dev.l2announcer.deploy;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.List;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import dev.l2announcer.demo.AgentCluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The packaged app (after {@code mvn package}): the AOT cache the build's training run left is valid for
 * the packaged jars and JVM options, a stale one is reported by the JVM, which runs on without it, and
 * the agent becomes ready without any cache (as root, in a one-node netns cluster).
 */
@Tag("e2e")
class PackagedLauncherE2eTest {
    static final Path APP = DeployManifestsTest.ROOT.resolve("target/quarkus-app");

    @TempDir
    Path tmp;

    record Run(int exit, String out) {
    }

    /** The JVM the launcher starts (same options file, the cache), but only as far as -version. */
    static Run jvmWithCache(Path app, String... extra) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "@" + app.resolve("jvm.options"), "-XX:AOTCache=" + app.resolve("app.aot")));
        cmd.addAll(List.of(extra));
        cmd.addAll(List.of("-cp", app.resolve("quarkus-run.jar").toString(), "-version"));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        return new Run(p.exitValue(), new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8));
    }

    @Test
    void theTrainedCacheMatchesThePackagedJarsAndOptions() throws Exception {
        assumeTrue(Files.isRegularFile(APP.resolve("app.aot")), "no app.aot: packaged with -Dl2a.aot.skip=true");
        Run r = jvmWithCache(APP, "-Xlog:aot=info");
        assertThat(r.exit()).isZero();
        assertThat(r.out()).contains("Using AOT-linked classes: true").doesNotContain("[error");
    }

    @Test
    void aStaleCacheIsReportedAndTheJvmRunsWithoutIt() throws Exception {
        assumeTrue(Files.isRegularFile(APP.resolve("app.aot")), "no app.aot: packaged with -Dl2a.aot.skip=true");
        Path copy = copyApp(true);
        try (Stream<Path> jars = Files.walk(copy.resolve("lib"))) {
            for (Path jar : jars.filter(p -> p.toString().endsWith(".jar")).toList()) {
                Files.setLastModifiedTime(jar, FileTime.fromMillis(System.currentTimeMillis()));
            }
        }
        Run r = jvmWithCache(copy);
        assertThat(r.exit()).isZero();
        assertThat(r.out()).contains("[error").contains("AOT cache").contains("version");
    }

    @Test
    void theAgentBecomesReadyWithoutACache() throws Exception {
        assumeTrue("root".equals(System.getProperty("user.name")), "needs root (network namespaces, BPF); skipped");
        Path copy = copyApp(false);
        try (AgentCluster cluster = AgentCluster.create(1, copy.resolve("quarkus-run.jar"),
                new AgentCluster.Timings(Duration.ofSeconds(3), Duration.ofSeconds(1), Duration.ofMillis(200)),
                DeployManifestsTest.ROOT.resolve("target/e2e-logs/no-aot-cache"))) {
            String node = cluster.nodeNames().getFirst();
            cluster.startAgent(node);
            await("agent without AOT cache ready").atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(500))
                    .failFast(() -> !cluster.agent(node).isAlive())
                    .until(() -> cluster.ready(node));
        }
    }

    /** A copy of the packaged app (same file times, so a copied cache still matches), with or without app.aot. */
    private Path copyApp(boolean withCache) throws IOException {
        assumeTrue(Files.isExecutable(APP.resolve("l2-announcer")), "package the agent first (mvn package)");
        Path copy = tmp.resolve("quarkus-app");
        List<Path> files = new ArrayList<>();
        try (Stream<Path> s = Files.walk(APP)) {
            s.forEach(files::add);
        }
        for (Path f : files) {
            Path to = copy.resolve(APP.relativize(f).toString());
            if (Files.isDirectory(f)) {
                Files.createDirectories(to);
            } else if (withCache || !f.getFileName().toString().startsWith("app.aot")) {
                Files.copy(f, to, StandardCopyOption.COPY_ATTRIBUTES);
            }
        }
        return copy;
    }
}
