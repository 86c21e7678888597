package dev.l2announcer.datapath.linux;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.foreign.SymbolLookup;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.VarHandle;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * The libc calls the datapath needs, each returning the raw result and leaving errno in a
 * caller-provided capture segment: errno is captured inside the call (a later read could see
 * another call's errno). Callers allocate the capture segment per call from a confined arena.
 */
final class Libc {
    static final Linker LINKER = Linker.nativeLinker();
    static final SymbolLookup LIBC = LINKER.defaultLookup();
    static final StructLayout CAPTURE = Linker.Option.captureStateLayout();
    private static final VarHandle ERRNO = CAPTURE.varHandle(MemoryLayout.PathElement.groupElement("errno"));
    private static final Linker.Option ERRNO_OPT = Linker.Option.captureCallState("errno");

    static final long SYS_BPF = sysBpf(System.getProperty("os.arch"));
    static final int AF_INET6 = 10, AF_NETLINK = 16, AF_PACKET = 17, SOCK_DGRAM = 2, SOCK_RAW = 3, SOCK_CLOEXEC = 0x80000;
    static final int SOL_SOCKET = 1, SO_RCVBUF = 8, SO_ATTACH_FILTER = 26, SO_TIMESTAMPNS = 35;
    /** include/uapi/linux/in6.h: IPV6_ADD_MEMBERSHIP (= IPV6_JOIN_GROUP) / IPV6_DROP_MEMBERSHIP at level IPPROTO_IPV6. */
    static final int IPPROTO_IPV6 = 41, IPV6_ADD_MEMBERSHIP = 20, IPV6_DROP_MEMBERSHIP = 21;
    static final int POLLIN = 1;
    static final int CLONE_NEWNET = 0x40000000;

    static final MethodHandle SYSCALL4 = fn("syscall", FunctionDescriptor.of(JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG),
            ERRNO_OPT, Linker.Option.firstVariadicArg(1));
    static final MethodHandle SOCKET = fn("socket", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT), ERRNO_OPT);
    static final MethodHandle BIND = fn("bind", FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT), ERRNO_OPT);
    static final MethodHandle SENDTO = fn("sendto",
            FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG, JAVA_INT, ADDRESS, JAVA_INT), ERRNO_OPT);
    static final MethodHandle SEND = fn("send", FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG, JAVA_INT), ERRNO_OPT);
    static final MethodHandle RECV = fn("recv", FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG, JAVA_INT), ERRNO_OPT);
    static final MethodHandle RECVMSG = fn("recvmsg", FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_INT), ERRNO_OPT);
    static final MethodHandle POLL = fn("poll", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_LONG, JAVA_INT), ERRNO_OPT);
    static final MethodHandle CLOSE = fn("close", FunctionDescriptor.of(JAVA_INT, JAVA_INT), ERRNO_OPT);
    static final MethodHandle SETSOCKOPT = fn("setsockopt",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT), ERRNO_OPT);
    static final MethodHandle SETNS = fn("setns", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT), ERRNO_OPT);
    static final MethodHandle OPEN = fn("open", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT),
            ERRNO_OPT, Linker.Option.firstVariadicArg(2));
    static final MethodHandle CLOCK_GETTIME = fn("clock_gettime", FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS), ERRNO_OPT);
    static final MethodHandle STATFS = fn("statfs", FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS), ERRNO_OPT);
    static final MethodHandle MOUNT = fn("mount", FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, ADDRESS, JAVA_LONG, ADDRESS), ERRNO_OPT);

    private Libc() {
    }

    private static MethodHandle fn(String name, FunctionDescriptor d, Linker.Option... options) {
        return LINKER.downcallHandle(LIBC.find(name).orElseThrow(() -> new UnsatisfiedLinkError(name)), d, options);
    }

    static MemorySegment capture(Arena arena) {
        return arena.allocate(CAPTURE);
    }

    static int errno(MemorySegment capture) {
        return (int) ERRNO.get(capture, 0L);
    }

    static int close(int fd) {
        try (Arena a = Arena.ofConfined()) {
            return (int) CLOSE.invokeExact(capture(a), fd);
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    /** CLOCK_MONOTONIC in ns: the clock bpf_ktime_get_ns() reads. */
    static long monotonicNanos() {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment ts = a.allocate(16);
            int rc = (int) CLOCK_GETTIME.invokeExact(capture(a), 1 /* CLOCK_MONOTONIC */, ts);
            if (rc != 0) {
                throw Errno.failure("clock_gettime", 0);
            }
            return ts.get(JAVA_LONG, 0) * 1_000_000_000L + ts.get(JAVA_LONG, 8);
        } catch (RuntimeException e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    static short htons(int v) {
        return Short.reverseBytes((short) v);
    }

    /**
     * bpf(2)'s syscall number: x86_64 has its own table (321), arm64 uses the generic one (280,
     * include/uapi/asm-generic/unistd.h). Anything else fails fast rather than issuing a wrong
     * syscall with a bpf_attr pointer.
     */
    static long sysBpf(String osArch) {
        return switch (osArch == null ? "" : osArch) {
            case "amd64", "x86_64" -> 321;
            case "aarch64", "arm64" -> 280;
            default -> throw new UnsupportedOperationException("l2-announcer's datapath supports amd64 and aarch64 only:"
                    + " no bpf(2) syscall number for os.arch=" + osArch);
        };
    }
}
