package dev.l2announcer.demo;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** HostCommand returns what a command printed, however much: more than a pipe holds too. */
class HostCommandTest {
    @Test
    void outputLargerThanAPipeIsReturnedNotATimeout() {
        String out = HostCommand.run(List.of("sh", "-c", "head -c 300000 /dev/zero | tr '\\0' x; echo; echo err >&2"),
                Duration.ofSeconds(10), true);
        assertThat(out).startsWith("x").contains("err");
        assertThat(out.chars().filter(c -> c == 'x').count()).isEqualTo(300_000);
    }

    @Test
    void exitCodeAndOutputOfAFailingCommand() {
        HostCommand.Result r = HostCommand.result("sh", "-c", "echo no; exit 3");
        assertThat(r.exit()).isEqualTo(3);
        assertThat(r.out()).isEqualTo("no\n");
    }
}
