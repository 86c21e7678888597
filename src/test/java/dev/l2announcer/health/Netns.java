package dev.l2announcer.health;

import dev.l2announcer.datapath.linux.NetNs;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;


/**
 * Test fixture: a network namespace the test creates (ip netns add) and a platform thread that
 * lives in it (the datapath's {@link NetNs}: setns(2) is per thread, so sockets, netlink and XDP
 * attach done on it act inside the namespace while the host bpffs stays visible).
 */
final class Netns implements AutoCloseable {
    final String name;
    private final ExecutorService thread;

    private Netns(String name) {
        this.name = name;
        this.thread = Executors.newSingleThreadExecutor(r -> Thread.ofPlatform().daemon().name("netns-" + name).unstarted(r));
    }

    static Netns create(String name) throws Exception {
        sh("ip", "netns", "add", name);
        Netns ns = new Netns(name);
        try {
            ns.run(() -> {
                enter(name);
                return null;
            });
        } catch (Exception e) {
            ns.close();
            throw e;
        }
        return ns;
    }

    private static void enter(String name) throws IOException {
        NetNs.enterOnThisThread(Path.of("/run/netns/" + name));
        // Safety: never go on unless this thread is really in the test's namespace.
        Object want = Files.getAttribute(Path.of("/run/netns/" + name), "unix:ino");
        Object have = Files.getAttribute(Path.of("/proc/thread-self/ns/net"), "unix:ino");
        if (!want.equals(have)) {
            throw new IllegalStateException("thread not in netns " + name + " after setns");
        }
    }

    /** Runs {@code task} on this namespace's thread (bounded wait). */
    <T> T run(Callable<T> task) throws Exception {
        Future<T> f = thread.submit(() -> {
            try {
                return task.call();
            } catch (Exception e) {
                throw e;
            } catch (Throwable t) {
                throw new Exception(t);
            }
        });
        return f.get(60, TimeUnit.SECONDS);
    }

    void ip(String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of("ip", "-n", name));
        cmd.addAll(List.of(args));
        sh(cmd.toArray(String[]::new));
    }

    @Override
    public void close() {
        thread.shutdownNow();
        try {
            sh("ip", "netns", "del", name);
        } catch (Exception e) {
            System.err.println("cleanup: " + e.getMessage());
        }
    }

    static String sh(String... cmd) throws Exception {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        if (!p.waitFor(30, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IOException("timeout: " + String.join(" ", cmd));
        }
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (p.exitValue() != 0) {
            throw new IOException(String.join(" ", cmd) + " -> exit " + p.exitValue() + ": " + out.strip());
        }
        return out;
    }

    /** Effective uid 0 (from /proc/self/status), not the user name. */
    static boolean isRoot() {
        try {
            return Files.readAllLines(Path.of("/proc/self/status")).stream()
                    .filter(l -> l.startsWith("Uid:")).map(l -> l.split("\\s+")[2]).findFirst().orElse("").equals("0");
        } catch (IOException e) {
            return false;
        }
    }
}
