package dev.l2announcer.demo;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Runs a short host command (ip, mount, nsenter, bpftool) with a time bound; the one place for that. */
public final class HostCommand {
    private static final Duration TIMEOUT = Duration.ofSeconds(30);

    /** How a command exited and what it printed (stdout and stderr together). */
    public record Result(int exit, String out) {
    }

    private HostCommand() {
    }

    public static String run(List<String> command) {
        return run(command, TIMEOUT, true);
    }

    /** Output of {@code command}; with {@code mustSucceed}, a non-zero exit throws. */
    public static String run(List<String> command, Duration timeout, boolean mustSucceed) {
        Result r = result(command, timeout);
        if (mustSucceed && r.exit() != 0) {
            throw new IllegalStateException("exit " + r.exit() + ": " + command + "\n" + r.out());
        }
        return r.out();
    }

    /** Output of {@code command}, which must exit 0. */
    public static String ok(String... command) {
        return run(List.of(command), TIMEOUT, true);
    }

    /** Exit code and output of {@code command}, whatever the exit. */
    public static Result result(String... command) {
        return result(List.of(command), TIMEOUT);
    }

    private static Result result(List<String> command, Duration timeout) {
        Path out = null;
        try {
            // Output goes to a file, not a pipe read after the exit: a command that prints more than the pipe
            // holds (64 KiB; a jcmd class histogram, a bpftool dump) would block on it until the timeout.
            out = Files.createTempFile("l2a-cmd-", ".out");
            Process p = new ProcessBuilder(command).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.to(out.toFile())).start();
            p.getOutputStream().close();
            if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                p.destroyForcibly();
                throw new IllegalStateException("timed out after " + timeout + ": " + command);
            }
            return new Result(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new IllegalStateException("cannot run " + command, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        } finally {
            if (out != null) {
                try {
                    Files.deleteIfExists(out);
                } catch (IOException ignored) {
                    // a temp file left behind is harmless
                }
            }
        }
    }

    /** Effective uid 0. */
    public static boolean isRoot() {
        try {
            return ((Integer) Files.getAttribute(Path.of("/proc/self"), "unix:uid")) == 0;
        } catch (IOException | UnsupportedOperationException e) {
            return false;
        }
    }
}
