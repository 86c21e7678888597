package dev.l2announcer.datapath.linux;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Test topology: namespaces this test creates (prefixed l2a-dp-), veth pairs created directly inside
 * them (never in the root namespace), and a platform thread per namespace that runs Java code there.
 */
final class Netns implements AutoCloseable {
    record Result(int exit, String out) {}

    private final List<String> namespaces = new ArrayList<>();
    private final List<ExecutorService> threads = new ArrayList<>();

    static boolean isRoot() {
        return "root".equals(System.getProperty("user.name")) || ProcessHandle.current().info().user().map("root"::equals).orElse(false);
    }

    static Result run(String... cmd) {
        try {
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
            if (!p.waitFor(20, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IllegalStateException("timed out: " + String.join(" ", cmd));
            }
            return new Result(p.exitValue(), new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new IllegalStateException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    static String ok(String... cmd) {
        Result r = run(cmd);
        if (r.exit() != 0) {
            throw new IllegalStateException(String.join(" ", cmd) + " -> " + r.exit() + ": " + r.out());
        }
        return r.out();
    }

    String add(String name) {
        run("ip", "netns", "del", name); // leftover of a crashed run
        ok("ip", "netns", "add", name);
        namespaces.add(name);
        ok("ip", "-n", name, "link", "set", "lo", "up");
        return name;
    }

    /** veth pair with one end in each namespace, both up. */
    void veth(String nsA, String ifA, String nsB, String ifB) {
        ok("ip", "-n", nsA, "link", "add", ifA, "type", "veth", "peer", "name", ifB, "netns", nsB);
        ok("ip", "-n", nsA, "link", "set", ifA, "up");
        ok("ip", "-n", nsB, "link", "set", ifB, "up");
    }

    /** A thread living in {@code ns} for Java FFM calls (sockets, ifindexes, link creation). */
    ExecutorService thread(String ns) {
        ExecutorService ex = Executors.newSingleThreadExecutor(r -> {
            Thread t = Thread.ofPlatform().daemon().name("netns-" + ns).unstarted(r);
            return t;
        });
        threads.add(ex);
        try {
            ex.submit(() -> NetNs.enterOnThisThread(Path.of("/run/netns", ns))).get(10, TimeUnit.SECONDS);
        } catch (InterruptedException | ExecutionException | TimeoutException e) {
            throw new IllegalStateException(e);
        }
        return ex;
    }

    static <T> T in(ExecutorService ex, Callable<T> c) {
        Future<T> f = ex.submit(c);
        try {
            return f.get(30, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException re) {
                throw re;
            }
            if (e.getCause() instanceof Error err) {
                throw err;
            }
            throw new IllegalStateException(e.getCause());
        } catch (InterruptedException | TimeoutException e) {
            throw new IllegalStateException(e);
        }
    }

    static void inRun(ExecutorService ex, Runnable r) {
        in(ex, () -> {
            r.run();
            return null;
        });
    }

    @Override
    public void close() {
        threads.forEach(ExecutorService::shutdownNow);
        for (String ns : namespaces) {
            run("ip", "netns", "del", ns);
        }
    }
}
