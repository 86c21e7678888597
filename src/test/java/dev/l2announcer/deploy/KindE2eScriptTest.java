package dev.l2announcer.deploy;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** The kind script cannot run here (no Docker engine); it must at least parse, lint and point at real files. */
class KindE2eScriptTest {

    static final Path SCRIPT = DeployManifestsTest.ROOT.resolve("e2e/kind/kind-e2e.sh");

    static ProcessResult run(List<String> command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        boolean done = p.waitFor(Duration.ofSeconds(60).toSeconds(), TimeUnit.SECONDS);
        if (!done) {
            p.destroyForcibly();
            throw new AssertionError(command + " did not finish in 60 s");
        }
        return new ProcessResult(p.exitValue(), new String(p.getInputStream().readAllBytes()));
    }

    record ProcessResult(int exit, String output) {
    }

    @Test
    void scriptParses() throws Exception {
        assertThat(Files.isExecutable(SCRIPT)).isTrue();
        ProcessResult r = run(List.of("bash", "-n", SCRIPT.toString()));
        assertThat(r.exit()).as(r.output()).isZero();
    }

    @Test
    void scriptIsShellcheckClean() throws Exception {
        boolean installed = Files.isExecutable(Path.of("/usr/bin/shellcheck"));
        assumeTrue(installed, "shellcheck not installed (apt-get install shellcheck)");
        ProcessResult r = run(List.of("shellcheck", SCRIPT.toString(),
                DeployManifestsTest.DEPLOY.resolve("sync-crd.sh").toString()));
        assertThat(r.exit()).as(r.output()).isZero();
    }

    @Test
    void scriptUsesTheRepositorysChartAndExampleAndCiliumsLeaseName() throws IOException {
        String s = Files.readString(SCRIPT);
        assertThat(s).contains("$REPO_ROOT/deploy/examples/l2-announcement-policy.yaml")
                .contains("$REPO_ROOT/deploy/helm/l2-announcer")
                .contains("LEASE=\"cilium-l2announce-default-${SERVICE}\"");
        assertThat(DeployManifestsTest.DEPLOY.resolve("examples/l2-announcement-policy.yaml")).exists();
        assertThat(HelmChartTest.CHART.resolve("Chart.yaml")).exists();
        assertThat(DeployManifestsTest.ROOT.resolve("e2e/kind/README.md")).exists();
        assertThat(s).as("always cleans up").contains("trap cleanup EXIT").contains("kind delete cluster");
    }
}
