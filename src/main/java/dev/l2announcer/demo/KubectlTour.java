package dev.l2announcer.demo;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Consumer;

/**
 * The demo's kubectl steps: each command is printed as the user would type it ({@code $ kubectl ...},
 * the kubeconfig being the one the demo exports), followed by kubectl's own output, indented.
 */
final class KubectlTour {
    private final Kubectl kubectl;
    private final Consumer<String> say;

    private KubectlTour(Kubectl kubectl, Consumer<String> say) {
        this.kubectl = kubectl;
        this.say = say;
    }

    /** The tour with the kubectl on the PATH, or empty after saying how to get one. */
    static Optional<KubectlTour> find(Path kubeconfig, Path cacheDir, Consumer<String> say) {
        Optional<Path> binary = Kubectl.onPath();
        if (binary.isEmpty()) {
            say.accept("kubectl not found on the PATH, so the demo applies its objects itself. To follow along with kubectl:"
                    + " apt-get install kubernetes-client (Debian), or see https://kubernetes.io/docs/tasks/tools/");
            return Optional.empty();
        }
        Kubectl k = new Kubectl(binary.get(), kubeconfig, cacheDir);
        say.accept("kubectl: " + binary.get() + " (" + k.clientVersion() + "), KUBECONFIG=" + kubeconfig);
        return Optional.of(new KubectlTour(k, say));
    }

    /** Runs and prints {@code kubectl args}; returns its output. */
    String show(String... args) {
        return showFrom(null, args);
    }

    /** As {@link #show}, printing the output only from the first line that starts with {@code marker}. */
    String showFrom(String marker, String... args) {
        say.accept("$ kubectl " + String.join(" ", quoted(args)));
        Kubectl.Result r = kubectl.run(args);
        String text = r.out() + r.err();
        List<String> lines = text.lines().toList();
        int from = 0;
        if (marker != null) {
            for (int i = 0; i < lines.size(); i++) {
                if (lines.get(i).startsWith(marker)) {
                    from = i;
                    break;
                }
            }
            if (from > 0) {
                System.out.println("    ...");
            }
        }
        lines.subList(from, lines.size()).forEach(l -> System.out.println("    " + l));
        return text;
    }

    /** Polls {@code kubectl args} quietly until its trimmed output equals {@code expected}, at most {@code max}. */
    boolean await(Duration max, String expected, String... args) {
        Instant end = Instant.now().plus(max);
        while (Instant.now().isBefore(end)) {
            Kubectl.Result r = kubectl.run(args);
            if (r.ok() && r.out().strip().equals(expected)) {
                return true;
            }
            LockSupport.parkNanos(Duration.ofMillis(300).toNanos());
        }
        return false;
    }

    /** Polls until {@code kubectl args} prints anything, at most {@code max}. */
    boolean awaitAny(Duration max, String... args) {
        Instant end = Instant.now().plus(max);
        while (Instant.now().isBefore(end)) {
            Kubectl.Result r = kubectl.run(args);
            if (r.ok() && !r.out().isBlank()) {
                return true;
            }
            LockSupport.parkNanos(Duration.ofMillis(300).toNanos());
        }
        return false;
    }

    private static List<String> quoted(String[] args) {
        return java.util.Arrays.stream(args).map(a -> a.matches("[A-Za-z0-9_./=:,-]+") ? a : "'" + a + "'").toList();
    }
}
