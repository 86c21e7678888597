package dev.l2announcer.deploy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * src/main/jvm/l2-announcer, the launcher everything starts the agent with: it passes jvm.options,
 * adds the AOT cache only when there is one (the agent must start without it) and records one for the
 * training run. Checked with a stand-in {@code java} that prints what it was given.
 */
class JvmLauncherTest {
    static final Path JVM_DIR = DeployManifestsTest.ROOT.resolve("src/main/jvm");

    @TempDir
    Path tmp;

    private Path app() throws IOException {
        Path app = Files.createDirectories(tmp.resolve("quarkus-app"));
        Files.copy(JVM_DIR.resolve("l2-announcer"), app.resolve("l2-announcer"), StandardCopyOption.COPY_ATTRIBUTES);
        Files.copy(JVM_DIR.resolve("jvm.options"), app.resolve("jvm.options"));
        Files.writeString(app.resolve("quarkus-run.jar"), "");
        Path bin = Files.createDirectories(tmp.resolve("jdk/bin"));
        Path java = bin.resolve("java");
        Files.writeString(java, "#!/bin/sh\nprintf 'MALLOC_ARENA_MAX=%s\\n' \"$MALLOC_ARENA_MAX\"\nprintf '%s\\n' \"$@\"\n");
        Files.setPosixFilePermissions(java, PosixFilePermissions.fromString("rwxr-xr-x"));
        return app;
    }

    private List<String> run(Path app, Map<String, String> env, String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(app.resolve("l2-announcer").toString()));
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(tmp.toFile()).redirectErrorStream(true);
        pb.environment().remove("MALLOC_ARENA_MAX");
        pb.environment().remove("L2A_AOT_CACHE_OUTPUT");
        pb.environment().remove("L2A_JAVA_OPTS");
        pb.environment().put("JAVA_HOME", tmp.resolve("jdk").toString());
        pb.environment().putAll(env);
        Process p = pb.start();
        assertThat(p.waitFor(20, TimeUnit.SECONDS)).isTrue();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.exitValue()).as(out).isZero();
        return out.lines().toList();
    }

    @Test
    void passesTheOptionsFileAndTheAgentArgumentsWithoutACacheWhenThereIsNone() throws Exception {
        Path app = app();
        assertThat(run(app, Map.of(), "--node-name=n1", "dbg", "doctor")).containsExactly(
                "MALLOC_ARENA_MAX=2", "@" + app.resolve("jvm.options"), "-jar", app.resolve("quarkus-run.jar").toString(),
                "--node-name=n1", "dbg", "doctor");
    }

    @Test
    void usesTheAotCacheNextToItWhenPresent() throws Exception {
        Path app = app();
        Files.writeString(app.resolve("app.aot"), "cache");
        assertThat(run(app, Map.of("MALLOC_ARENA_MAX", "4"), "--config-dir=/etc/x")).containsExactly(
                "MALLOC_ARENA_MAX=4", "@" + app.resolve("jvm.options"), "-XX:AOTCache=" + app.resolve("app.aot"),
                "-jar", app.resolve("quarkus-run.jar").toString(), "--config-dir=/etc/x");
        assertThat(run(app, Map.of())).as("the image's ENTRYPOINT without args").contains("-XX:AOTCache=" + app.resolve("app.aot"));
    }

    /** The cache holds the agent's classes: dbg (inside the agent's memory limit), demo and demo-api run without it. */
    @Test
    void subcommandsRunWithoutTheAgentsCache() throws Exception {
        Path app = app();
        Files.writeString(app.resolve("app.aot"), "cache");
        for (String sub : List.of("dbg", "demo", "demo-api")) {
            assertThat(run(app, Map.of(), sub, "x")).containsExactly(
                    "MALLOC_ARENA_MAX=2", "@" + app.resolve("jvm.options"), "-jar", app.resolve("quarkus-run.jar").toString(),
                    sub, "x");
        }
    }

    /** L2A_JAVA_OPTS: words after jvm.options, so they win (the embedded API's heap, -Ddemo.debug=true). */
    @Test
    void extraOptionsComeAfterTheOptionsFile() throws Exception {
        Path app = app();
        assertThat(run(app, Map.of("L2A_JAVA_OPTS", "-Xmx256m  -Dx=y"), "demo-api")).containsExactly(
                "MALLOC_ARENA_MAX=2", "@" + app.resolve("jvm.options"), "-Xmx256m", "-Dx=y",
                "-jar", app.resolve("quarkus-run.jar").toString(), "demo-api");
    }

    @Test
    void theTrainingRunRecordsANewCacheInsteadOfUsingTheOldOne() throws Exception {
        Path app = app();
        Files.writeString(app.resolve("app.aot"), "old");
        Path out = tmp.resolve("new.aot");
        assertThat(run(app, Map.of("L2A_AOT_CACHE_OUTPUT", out.toString()))).containsExactly(
                "MALLOC_ARENA_MAX=2", "@" + app.resolve("jvm.options"), "-XX:AOTCacheOutput=" + out,
                "-jar", app.resolve("quarkus-run.jar").toString());
    }

    @Test
    void findsItsDirectoryWhenStartedThroughARelativePath() throws Exception {
        Path app = app();
        List<String> cmd = List.of("sh", "-c", "cd \"$1\" && ./quarkus-app/l2-announcer", "sh", tmp.toString());
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        pb.environment().put("JAVA_HOME", tmp.resolve("jdk").toString());
        Process p = pb.start();
        assertThat(p.waitFor(20, TimeUnit.SECONDS)).isTrue();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(out.lines()).contains("@" + app.toRealPath().resolve("jvm.options"));
    }
}
