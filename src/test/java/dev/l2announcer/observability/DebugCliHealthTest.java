package dev.l2announcer.observability;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** Argument handling of {@code dbg health} (no network: the request path is checked, not sent). */
class DebugCliHealthTest {
    @Test
    void healthAsksTheAgentForTextOrJsonAndProbesOnDemand() {
        assertThat(DebugCli.requestPath("health", false, false)).isEqualTo("/debug/health?o=text");
        assertThat(DebugCli.requestPath("health", true, true)).isEqualTo("/debug/health?o=json&probe=true");
        assertThat(DebugCli.requestPath("leases", true, false)).isEqualTo("/debug/leases");
    }

    @Test
    void probeIsRejectedForOtherViewsAndHelpListsHealth() {
        var err = new ByteArrayOutputStream();
        var out = new ByteArrayOutputStream();
        assertThat(DebugCli.run(List.of("leases", "--probe"), new PrintStream(out), new PrintStream(err))).isEqualTo(2);
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("--probe is for dbg health only");
        assertThat(DebugCli.run(List.of("--help"), new PrintStream(out), new PrintStream(err))).isZero();
        assertThat(out.toString(StandardCharsets.UTF_8)).contains("dbg health [--probe] [-o json]").contains(", health");
    }
}
