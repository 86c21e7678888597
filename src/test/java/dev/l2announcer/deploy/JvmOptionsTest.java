package dev.l2announcer.deploy;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** The agent's JVM options: valid for this JDK, and the ones the footprint figures were measured with. */
class JvmOptionsTest {

    @Test
    void theJvmAcceptsEveryOption() throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process p = new ProcessBuilder(java, "@" + JvmOptions.FILE, "-version").redirectErrorStream(true).start();
        assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.exitValue()).as(out).isZero();
        assertThat(out).as("no warning about an option").doesNotContainIgnoringCase("warning")
                .doesNotContainIgnoringCase("unrecognized");
    }

    @Test
    void keepsWhatTheAgentNeeds() throws IOException {
        JvmOptions o = JvmOptions.read();
        assertThat(o.words()).contains("--enable-native-access=ALL-UNNAMED", "-XX:+ExitOnOutOfMemoryError",
                "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1");
        assertThat(o.mebibytes("-Xmx")).as("a fixed heap bound, not a share of the machine").isPresent();
        assertThat(o.words()).noneMatch(w -> w.contains("RAMPercentage"));
        assertThat(o.words()).as("the launcher adds the AOT cache only when it exists")
                .noneMatch(w -> w.startsWith("-XX:AOTCache") || w.startsWith("-XX:AOTMode"));
    }
}
