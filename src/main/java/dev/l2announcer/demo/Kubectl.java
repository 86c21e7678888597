package dev.l2announcer.demo;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * A real kubectl binary pointed at one kubeconfig (and a discovery cache of its own, so a cache of
 * another server on the same address is never used). Runs are bounded in time.
 */
public record Kubectl(Path binary, Path kubeconfig, Path cacheDir) {
    private static final Duration TIMEOUT = Duration.ofSeconds(60);

    /** What one kubectl run printed and how it exited. */
    public record Result(int exit, String out, String err) {
        public boolean ok() {
            return exit == 0;
        }
    }

    /** The first {@code kubectl} on the PATH, if any. */
    public static Optional<Path> onPath() {
        for (String dir : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
            Path p = Path.of(dir.isEmpty() ? "." : dir, "kubectl");
            if (Files.isExecutable(p)) {
                return Optional.of(p);
            }
        }
        return Optional.empty();
    }

    /** Writes a kubeconfig for {@code server} (plain HTTP, no credentials: the embedded API has no auth). */
    public static Path writeKubeconfig(Path file, String server, String namespace) {
        return writeKubeconfig(file, server, namespace, null);
    }

    /**
     * As above with a bearer token the embedded API ignores, for agents: a pod's client always has one (its
     * service account's). Without any credential, fabric8's TokenRefreshInterceptor finds no token to refresh,
     * so it re-reads and re-parses the whole kubeconfig before every request once the first minute has passed
     * (FootprintBenchmark: 3/4 of the election's request CPU), which no deployed agent does.
     */
    public static Path writeKubeconfig(Path file, String server, String namespace, String bearerToken) {
        String user = bearerToken == null ? "{}" : "\n    token: " + bearerToken;
        String yaml = """
                apiVersion: v1
                kind: Config
                clusters:
                - name: l2a-demo
                  cluster:
                    server: %s
                contexts:
                - name: l2a-demo
                  context:
                    cluster: l2a-demo
                    user: l2a-demo
                    namespace: %s
                current-context: l2a-demo
                users:
                - name: l2a-demo
                  user: %s
                """.formatted(server, namespace, user);
        try {
            Files.createDirectories(file.toAbsolutePath().getParent());
            Files.writeString(file, yaml);
        } catch (IOException e) {
            throw new IllegalStateException("cannot write " + file, e);
        }
        return file;
    }

    /** {@code kubectl version --client}, first line (e.g. {@code Client Version: v1.32.4}). */
    public String clientVersion() {
        Result r = run("version", "--client");
        String all = r.out().isBlank() ? r.err() : r.out();
        return all.lines().findFirst().orElse("?").strip();
    }

    public Result run(String... args) {
        List<String> cmd = new ArrayList<>(List.of(binary.toString(), "--kubeconfig=" + kubeconfig,
                "--cache-dir=" + cacheDir));
        cmd.addAll(List.of(args));
        try {
            Process p = new ProcessBuilder(cmd).start();
            p.getOutputStream().close();
            CompletableFuture<String> out = CompletableFuture.supplyAsync(() -> read(p.getInputStream()));
            CompletableFuture<String> err = CompletableFuture.supplyAsync(() -> read(p.getErrorStream()));
            if (!p.waitFor(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
                p.destroyForcibly();
                throw new IllegalStateException("kubectl timed out after " + TIMEOUT + ": " + String.join(" ", args));
            }
            return new Result(p.exitValue(), out.join(), err.join());
        } catch (IOException e) {
            throw new IllegalStateException("cannot run " + binary, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static String read(java.io.InputStream in) {
        try {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "";
        }
    }
}
