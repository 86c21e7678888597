package dev.l2announcer.demo;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.VarHandle;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * The few libc calls the demo's harness needs that neither the JDK nor the datapath's public classes
 * offer: an rtnetlink socket for neighbour notifications and if_nametoindex (entering a namespace is
 * the datapath's {@code NetNs}, ARP capture its {@code ArpSocket}). Each call captures errno in the call itself.
 */
final class Libc {
    static final int AF_NETLINK = 16;
    static final int SOCK_RAW = 3;
    static final int SOL_SOCKET = 1;
    static final int SO_RCVTIMEO = 20;
    static final int EAGAIN = 11;
    static final int EINTR = 4;

    private static final Linker LINKER = Linker.nativeLinker();
    private static final StructLayout CALL_STATE = Linker.Option.captureStateLayout();
    private static final VarHandle ERRNO = CALL_STATE.varHandle(MemoryLayout.PathElement.groupElement("errno"));
    private static final Linker.Option CAPTURE = Linker.Option.captureCallState("errno");

    private static final MethodHandle CLOSE = fn("close", FunctionDescriptor.of(JAVA_INT, JAVA_INT));
    private static final MethodHandle SOCKET = fn("socket", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT));
    private static final MethodHandle BIND = fn("bind", FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT));
    private static final MethodHandle SETSOCKOPT = fn("setsockopt",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT));
    private static final MethodHandle RECVMSG = fn("recvmsg", FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_INT));
    private static final MethodHandle IF_NAMETOINDEX = fn("if_nametoindex", FunctionDescriptor.of(JAVA_INT, ADDRESS));

    private Libc() {
    }

    private static MethodHandle fn(String name, FunctionDescriptor d) {
        return LINKER.downcallHandle(LINKER.defaultLookup().find(name).orElseThrow(), d, CAPTURE);
    }

    /** ifindex of {@code name} in the calling thread's network namespace. */
    static int ifIndex(String name) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment st = a.allocate(CALL_STATE);
            int idx = (int) IF_NAMETOINDEX.invokeExact(st, a.allocateFrom(name));
            if (idx == 0) {
                throw new IllegalStateException("if_nametoindex " + name + ": errno " + (int) ERRNO.get(st, 0L));
            }
            return idx;
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    static int socket(int domain, int type, int protocol) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment st = a.allocate(CALL_STATE);
            return check((int) SOCKET.invokeExact(st, domain, type, protocol), st, "socket");
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    static void bind(int fd, MemorySegment addr) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment st = a.allocate(CALL_STATE);
            check((int) BIND.invokeExact(st, fd, addr, (int) addr.byteSize()), st, "bind");
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    static void setsockopt(int fd, int level, int name, MemorySegment value) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment st = a.allocate(CALL_STATE);
            check((int) SETSOCKOPT.invokeExact(st, fd, level, name, value, (int) value.byteSize()), st,
                    "setsockopt " + level + "/" + name);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** recvmsg; returns bytes read, or -errno for EAGAIN/EINTR (timeouts), throws otherwise. */
    static long recvmsg(int fd, MemorySegment msghdr, MemorySegment st) {
        try {
            long n = (long) RECVMSG.invokeExact(st, fd, msghdr, 0);
            if (n < 0) {
                int errno = (int) ERRNO.get(st, 0L);
                if (errno == EAGAIN || errno == EINTR) {
                    return -errno;
                }
                throw new IllegalStateException("recvmsg: errno " + errno);
            }
            return n;
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    static void close(int fd) {
        try (Arena a = Arena.ofConfined()) {
            int ignored = (int) CLOSE.invokeExact(a.allocate(CALL_STATE), fd);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    static MemorySegment callState(Arena a) {
        return a.allocate(CALL_STATE);
    }

    /** struct timeval for SO_RCVTIMEO. */
    static MemorySegment timeval(Arena a, long millis) {
        MemorySegment tv = a.allocate(16);
        tv.set(JAVA_LONG, 0, millis / 1000);
        tv.set(JAVA_LONG, 8, (millis % 1000) * 1000);
        return tv;
    }

    private static int check(int rc, MemorySegment st, String what) {
        if (rc < 0) {
            throw new IllegalStateException(what + ": errno " + (int) ERRNO.get(st, 0L));
        }
        return rc;
    }

    /** {@code t} as an unchecked exception (errors are thrown as they are). */
    static RuntimeException rethrow(Throwable t) {
        if (t instanceof RuntimeException r) {
            return r;
        }
        if (t instanceof Error e) {
            throw e;
        }
        return new IllegalStateException(t);
    }
}
