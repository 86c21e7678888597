package dev.l2announcer.datapath.linux;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Path;
import java.util.concurrent.ThreadFactory;

/**
 * Moves the calling thread into a network namespace (setns(2) acts per thread). Sockets and
 * ifindex lookups then act in that namespace while the mount namespace, and so the host bpffs,
 * stays (unlike {@code ip netns exec}). Use on a dedicated platform thread.
 */
public final class NetNs {
    private NetNs() {
    }

    /** Platform daemon threads named {@code name} that enter {@code nsFile} before running their task. */
    public static ThreadFactory platformThreadsIn(Path nsFile, String name) {
        return r -> Thread.ofPlatform().daemon().name(name).unstarted(() -> {
            enterOnThisThread(nsFile);
            r.run();
        });
    }

    public static void enterOnThisThread(Path nsFile) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment cap = Libc.capture(a);
            int fd = (int) Libc.OPEN.invokeExact(cap, a.allocateFrom(nsFile.toString()), 0x80000 /* O_RDONLY|O_CLOEXEC */, 0);
            if (fd < 0) {
                throw Errno.failure("open " + nsFile, Libc.errno(cap));
            }
            try {
                int rc = (int) Libc.SETNS.invokeExact(cap, fd, Libc.CLONE_NEWNET);
                if (rc < 0) {
                    throw Errno.failure("setns " + nsFile, Libc.errno(cap));
                }
            } finally {
                Libc.close(fd);
            }
        } catch (RuntimeException e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }
}
