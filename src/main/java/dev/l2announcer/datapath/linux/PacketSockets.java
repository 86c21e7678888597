package dev.l2announcer.datapath.linux;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

/** AF_PACKET plumbing shared by the GARP sender and {@link ArpSocket}. */
final class PacketSockets {
    static final int SOCKADDR_LL_SIZE = 20;

    private PacketSockets() {
    }

    /** {@code protocol} in host order; 0 makes a send-only socket (no copy of received traffic). */
    static int open(int protocol, int ifindex) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment cap = Libc.capture(a);
            int fd = (int) Libc.SOCKET.invokeExact(cap, Libc.AF_PACKET, Libc.SOCK_RAW | Libc.SOCK_CLOEXEC,
                    (int) Libc.htons(protocol) & 0xffff);
            if (fd < 0) {
                throw Errno.failure("socket(AF_PACKET)", Libc.errno(cap));
            }
            if (ifindex > 0) {
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

    static void sendTo(int fd, int ifindex, byte[] frame, byte[] dstMac) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment buf = a.allocate(frame.length);
            MemorySegment.copy(frame, 0, buf, JAVA_BYTE, 0, frame.length);
            MemorySegment sll = sockaddrLl(a, 0x0806, ifindex, dstMac);
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
