package dev.l2announcer.datapath.linux;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

/** AF_PACKET plumbing shared by the GARP and NA senders and {@link PacketSocket}. */
final class PacketSockets {
    static final int SOCKADDR_LL_SIZE = 20;

    private PacketSockets() {
    }

    /** {@code protocol} in host order; 0 makes a send-only socket (no copy of received traffic). */
    static int open(int protocol, int ifindex) {
        return open(protocol, ifindex, null);
    }

    /**
     * As {@link #open(int, int)}; a non-null classic BPF {@code filter} (instructions as {@link #insn}) is attached
     * while the socket still receives nothing (protocol 0), and only then is it bound to {@code protocol}.
     */
    static int open(int protocol, int ifindex, long[] filter) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment cap = Libc.capture(a);
            int fd = (int) Libc.SOCKET.invokeExact(cap, Libc.AF_PACKET, Libc.SOCK_RAW | Libc.SOCK_CLOEXEC,
                    filter == null ? (int) Libc.htons(protocol) & 0xffff : 0);
            if (fd < 0) {
                throw Errno.failure("socket(AF_PACKET)", Libc.errno(cap));
            }
            if (filter != null) {
                MemorySegment insns = a.allocate(8L * filter.length, 8);
                for (int i = 0; i < filter.length; i++) {
                    insns.set(JAVA_LONG, 8L * i, filter[i]);
                }
                MemorySegment prog = a.allocate(16, 8); // struct sock_fprog { unsigned short len; struct sock_filter *filter; }
                prog.set(JAVA_SHORT, 0, (short) filter.length);
                prog.set(JAVA_LONG, 8, insns.address());
                int rc = (int) Libc.SETSOCKOPT.invokeExact(cap, fd, Libc.SOL_SOCKET, Libc.SO_ATTACH_FILTER, prog, 16);
                if (rc < 0) {
                    int err = Libc.errno(cap);
                    Libc.close(fd);
                    throw Errno.failure("setsockopt(SO_ATTACH_FILTER)", err);
                }
            }
            if (ifindex > 0 || filter != null) {
                MemorySegment sll = sockaddrLl(a, protocol, ifindex, null);
                int rc = (int) Libc.BIND.invokeExact(cap, fd, sll, SOCKADDR_LL_SIZE);
                if (rc < 0) {
                    int err = Libc.errno(cap);
                    Libc.close(fd);
                    throw Errno.failure("bind(AF_PACKET, ifindex " + ifindex + ")", err);
                }
            }
            return fd;
        } catch (RuntimeException e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    static MemorySegment sockaddrLl(Arena a, int protocol, int ifindex, byte[] dstMac) {
        MemorySegment sll = a.allocate(SOCKADDR_LL_SIZE, 4);
        sll.set(JAVA_SHORT, 0, (short) Libc.AF_PACKET);
        sll.set(JAVA_SHORT, 2, Libc.htons(protocol));
        sll.set(JAVA_INT, 4, ifindex);
        if (dstMac != null) {
            sll.set(JAVA_BYTE, 11, (byte) 6);
            MemorySegment.copy(dstMac, 0, sll, JAVA_BYTE, 12, 6);
        }
        return sll;
    }

    /** One classic BPF instruction (struct sock_filter: u16 code, u8 jt, u8 jf, u32 k) in native byte order. */
    static long insn(int code, int jt, int jf, int k) {
        java.nio.ByteBuffer b = java.nio.ByteBuffer.allocate(8).order(java.nio.ByteOrder.nativeOrder());
        b.putShort((short) code).put((byte) jt).put((byte) jf).putInt(k);
        return b.getLong(0);
    }

    /** {@code ethertype} (host order) goes into sll_protocol: it becomes the frame's skb->protocol. */
    static void sendTo(int fd, int ifindex, int ethertype, byte[] frame, byte[] dstMac) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment buf = a.allocate(frame.length);
            MemorySegment.copy(frame, 0, buf, JAVA_BYTE, 0, frame.length);
            MemorySegment sll = sockaddrLl(a, ethertype, ifindex, dstMac);
            MemorySegment cap = Libc.capture(a);
            long n = (long) Libc.SENDTO.invokeExact(cap, fd, buf, (long) frame.length, 0, sll, SOCKADDR_LL_SIZE);
            if (n < 0) {
                throw Errno.failure("sendto(AF_PACKET, ifindex " + ifindex + ")", Libc.errno(cap));
            }
        } catch (RuntimeException e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }
}
