package dev.l2announcer.health;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.VarHandle;
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

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;

/**
 * Test fixture: a network namespace the test creates (ip netns add) and a platform thread that
 * lives in it (setns(2) changes only the calling thread's network namespace, so sockets, netlink
 * and XDP attach done on it act inside the namespace while the host mount namespace, and so the
 * host bpffs, stays visible).
 */
final class Netns implements AutoCloseable {
    private static final Linker LINKER = Linker.nativeLinker();
    private static final Linker.Option ERRNO = Linker.Option.captureCallState("errno");
    private static final VarHandle ERRNO_VH = Linker.Option.captureStateLayout()
            .varHandle(MemoryLayout.PathElement.groupElement("errno"));
    private static final MethodHandle OPEN = LINKER.downcallHandle(LINKER.defaultLookup().findOrThrow("open"),
            FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT), ERRNO);
    private static final MethodHandle SETNS = LINKER.downcallHandle(LINKER.defaultLookup().findOrThrow("setns"),
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT), ERRNO);
    private static final MethodHandle CLOSE = LINKER.downcallHandle(LINKER.defaultLookup().findOrThrow("close"),
            FunctionDescriptor.of(JAVA_INT, JAVA_INT));
    private static final int O_RDONLY_CLOEXEC = 0x80000, CLONE_NEWNET = 0x40000000;

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
                try {
                    enter(name);
                } catch (Throwable t) {
                    throw new Exception(t);
                }
                return null;
            });
        } catch (Exception e) {
            ns.close();
            throw e;
        }
        return ns;
    }

    private static void enter(String name) throws Throwable {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment cap = a.allocate(Linker.Option.captureStateLayout());
            int fd = (int) OPEN.invokeExact(cap, a.allocateFrom("/run/netns/" + name), O_RDONLY_CLOEXEC);
            if (fd < 0) {
                throw new IOException("open /run/netns/" + name + ": errno " + (int) ERRNO_VH.get(cap, 0L));
            }
            int rc = (int) SETNS.invokeExact(cap, fd, CLONE_NEWNET);
            int err = (int) ERRNO_VH.get(cap, 0L);
            int ignored = (int) CLOSE.invokeExact(fd);
            if (rc != 0) {
                throw new IOException("setns " + name + ": errno " + err);
            }
        }
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
