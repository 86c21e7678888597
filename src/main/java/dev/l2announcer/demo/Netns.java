package dev.l2announcer.demo;

import dev.l2announcer.datapath.linux.NetNs;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Network namespaces for the demo and the tests, in one place: a namespace this process creates
 * ({@link #create}, {@code ip netns add}) with a platform thread living in it, and one-shot calls
 * inside any named namespace ({@link #call}). Threads enter with the datapath's {@link NetNs}
 * (setns(2) acts per thread, so the mount namespace and the host bpffs stay visible) and check that
 * they really are inside before running anything: code meant for a test namespace never runs on
 * the host's. Sockets opened there stay in that namespace for their whole life, whichever thread
 * later reads them.
 */
public final class Netns implements AutoCloseable {
    private static final long TIMEOUT_SECONDS = 60;
    private final String name;
    private final ExecutorService thread;

    private Netns(String name) {
        this.name = name;
        this.thread = Executors.newSingleThreadExecutor(r -> Thread.ofPlatform().daemon().name("netns-" + name).unstarted(() -> {
            enter(name);
            r.run();
        }));
    }

    /** Creates namespace {@code name} (removing a leftover of a crashed run first) and its thread. */
    public static Netns create(String name) {
        if (Files.exists(Path.of("/run/netns", name))) {
            HostCommand.result("ip", "netns", "del", name);
        }
        HostCommand.ok("ip", "netns", "add", name);
        Netns ns = new Netns(name);
        try {
            ns.run(() -> null); // starts the thread: it enters (and checks) now, not at first use
        } catch (RuntimeException e) {
            ns.close();
            throw e;
        }
        return ns;
    }

    public String name() {
        return name;
    }

    /** {@code ip -n NAME args...}; fails on a non-zero exit. */
    public String ip(String... args) {
        List<String> cmd = new ArrayList<>(List.of("ip", "-n", name));
        cmd.addAll(List.of(args));
        return HostCommand.ok(cmd.toArray(String[]::new));
    }

    /** A veth pair with {@code ifHere} here and {@code ifThere} in {@code other}, both up. */
    public void veth(String ifHere, Netns other, String ifThere) {
        ip("link", "add", ifHere, "type", "veth", "peer", "name", ifThere, "netns", other.name);
        ip("link", "set", ifHere, "up");
        other.ip("link", "set", ifThere, "up");
    }

    /** Runs {@code task} on this namespace's thread (bounded wait); its exception is rethrown as is. */
    public <T> T run(Callable<T> task) {
        try {
            return thread.submit(task).get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            throw Libc.rethrow(e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        } catch (TimeoutException e) {
            throw new IllegalStateException("no result within " + TIMEOUT_SECONDS + " s in netns " + name, e);
        }
    }

    /** As {@link #run(Callable)} for a task without a result. */
    public void exec(Runnable task) {
        run(() -> {
            task.run();
            return null;
        });
    }

    /** Runs {@code body} inside namespace {@code netnsName} on a fresh platform thread that ends afterwards. */
    public static <T> T call(String netnsName, Callable<T> body) {
        CompletableFuture<T> result = new CompletableFuture<>();
        Thread t = Thread.ofPlatform().name("netns-" + netnsName).start(() -> {
            try {
                enter(netnsName);
                result.complete(body.call());
            } catch (Throwable e) {
                result.completeExceptionally(e);
            }
        });
        try {
            T value = result.get();
            t.join();
            return value;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        } catch (ExecutionException e) {
            throw Libc.rethrow(e.getCause());
        }
    }

    private static void enter(String name) {
        Path file = Path.of("/run/netns", name);
        NetNs.enterOnThisThread(file);
        try {
            Object want = Files.getAttribute(file, "unix:ino");
            Object have = Files.getAttribute(Path.of("/proc/thread-self/ns/net"), "unix:ino");
            if (!want.equals(have)) {
                throw new IllegalStateException("thread not in netns " + name + " after setns");
            }
        } catch (IOException e) {
            throw new IllegalStateException("cannot check the netns of this thread", e);
        }
    }

    /** Stops the thread and deletes the namespace. */
    @Override
    public void close() {
        thread.shutdownNow();
        HostCommand.Result r = HostCommand.result("ip", "netns", "del", name);
        if (r.exit() != 0) {
            System.err.println("cleanup: ip netns del " + name + ": " + r.out().strip());
        }
    }
}
