package dev.l2announcer.e2e;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;
import java.time.Instant;
import java.util.Optional;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

/**
 * A raw AF_PACKET socket for ARP on one interface of a test namespace: receives every ARP frame
 * (promiscuous, so replies addressed to the prober's made-up MAC are seen too) with the kernel's
 * SO_TIMESTAMPNS receive time, and sends ARP frames. Reads block at most {@code pollMillis}.
 * One reader thread at a time; sending is safe from another thread.
 */
final class ArpTap implements AutoCloseable {
    private static final short ETH_P_ARP_BE = (short) 0x0608; // htons(0x0806) on little-endian x86-64
    private static final int ETH_P_ARP = 0x0806;

    private final int fd;
    private final int ifindex;
    private final Arena arena = Arena.ofShared();
    private final MemorySegment buf = arena.allocate(2048);
    private final MemorySegment control = arena.allocate(256);
    private final MemorySegment iov = arena.allocate(16);
    private final MemorySegment msg = arena.allocate(56);
    private final MemorySegment state = Libc.callState(arena);
    private volatile boolean closed;

    private ArpTap(int fd, int ifindex) {
        this.fd = fd;
        this.ifindex = ifindex;
    }

    /** Opens the tap on {@code ifname} inside network namespace {@code netns}. */
    static ArpTap open(String netns, String ifname, long pollMillis) {
        return Netns.call(netns, () -> {
            int idx = Libc.ifIndex(ifname);
            int fd = Libc.socket(Libc.AF_PACKET, Libc.SOCK_RAW, ETH_P_ARP_BE & 0xffff);
            try (Arena a = Arena.ofConfined()) {
                Libc.bind(fd, sockaddrLl(a, idx, null));
                MemorySegment mreq = a.allocate(16);
                mreq.set(JAVA_INT, 0, idx);
                mreq.set(JAVA_SHORT, 4, (short) Libc.PACKET_MR_PROMISC);
                Libc.setsockopt(fd, Libc.SOL_PACKET, Libc.PACKET_ADD_MEMBERSHIP, mreq);
                Libc.setsockopt(fd, Libc.SOL_SOCKET, Libc.SO_TIMESTAMPNS, Libc.intValue(a, 1));
                Libc.setsockopt(fd, Libc.SOL_SOCKET, Libc.SO_RCVTIMEO, Libc.timeval(a, pollMillis));
            } catch (RuntimeException e) {
                Libc.close(fd);
                throw e;
            }
            return new ArpTap(fd, idx);
        });
    }

    /** Next ARP frame, or empty after the poll timeout (or for a non-ARP frame). */
    Optional<ArpPacket> receive() {
        if (closed) {
            return Optional.empty();
        }
        iov.set(JAVA_LONG, 0, buf.address());
        iov.set(JAVA_LONG, 8, buf.byteSize());
        msg.fill((byte) 0);
        msg.set(JAVA_LONG, 16, iov.address());
        msg.set(JAVA_LONG, 24, 1);
        msg.set(JAVA_LONG, 32, control.address());
        msg.set(JAVA_LONG, 40, control.byteSize());
        long n = Libc.recvmsg(fd, msg, state);
        if (n <= 0) {
            return Optional.empty();
        }
        Instant at = kernelTime();
        byte[] frame = buf.asSlice(0, n).toArray(JAVA_BYTE);
        return ArpPacket.parse(at, frame, (int) n);
    }

    void send(byte[] frame) {
        try (Arena a = Arena.ofConfined()) {
            Libc.sendto(fd, a.allocateFrom(JAVA_BYTE, frame), sockaddrLl(a, ifindex, frame));
        }
    }

    private Instant kernelTime() {
        long controlLen = msg.get(JAVA_LONG, 40);
        long off = 0;
        while (off + 16 <= controlLen) {
            long len = control.get(JAVA_LONG, off);
            int level = control.get(JAVA_INT, off + 8);
            int type = control.get(JAVA_INT, off + 12);
            if (level == Libc.SOL_SOCKET && type == Libc.SO_TIMESTAMPNS && len >= 32) {
                return Instant.ofEpochSecond(control.get(JAVA_LONG, off + 16), control.get(JAVA_LONG, off + 24));
            }
            if (len < 16) {
                break;
            }
            off += (len + 7) & ~7L;
        }
        return Instant.now();
    }

    private static MemorySegment sockaddrLl(Arena a, int ifindex, byte[] frame) {
        MemorySegment sa = a.allocate(20);
        sa.set(JAVA_SHORT, 0, (short) Libc.AF_PACKET);
        sa.set(JAVA_SHORT.withOrder(ByteOrder.BIG_ENDIAN), 2, (short) ETH_P_ARP);
        sa.set(JAVA_INT, 4, ifindex);
        if (frame != null) {
            sa.set(JAVA_BYTE, 11, (byte) 6);
            MemorySegment.copy(MemorySegment.ofArray(frame), 0, sa, 12, 6);
        }
        return sa;
    }

    @Override
    public void close() {
        if (!closed) {
            closed = true;
            Libc.close(fd);
        }
    }
}
