package dev.l2announcer.datapath.linux;

import dev.l2announcer.datapath.ArpFrame;
import dev.l2announcer.datapath.NdpFrame;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.time.Duration;
import java.util.Optional;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

/**
 * AF_PACKET socket bound to one interface for one ethertype: sends frames and receives frames with kernel
 * receive timestamps (SO_TIMESTAMPNS, CLOCK_REALTIME). {@link #receive} blocks in poll(2): call it from a
 * platform thread. Opened in the calling thread's network namespace. {@link ArpSocket} (ETH_P_ARP) and
 * {@link NdpSocket} (ETH_P_IPV6, filtered to neighbour discovery) are the two kinds.
 */
public class PacketSocket implements AutoCloseable {
    public static final int PACKET_HOST = 0, PACKET_BROADCAST = 1, PACKET_MULTICAST = 2, PACKET_OUTGOING = 4;

    /**
     * @param kernelTimestampNanos CLOCK_REALTIME ns of reception from SO_TIMESTAMPNS, or 0 if absent
     * @param packetType           sll_pkttype (PACKET_OUTGOING for our own transmissions)
     */
    public record Received(byte[] frame, int length, long kernelTimestampNanos, long receivedNanoTime, int packetType) {
        public Optional<ArpFrame> arp() {
            return ArpFrame.parse(frame, length);
        }

        /** The frame as a neighbour solicitation or advertisement, if it is one. */
        public Optional<NdpFrame> ndp() {
            return NdpFrame.parse(frame, length);
        }
    }

    private final int fd;
    private final int ifindex;
    private final int ethertype;
    private final boolean kernelTimestamps;

    /**
     * @param filter classic BPF program (SO_ATTACH_FILTER, 8 bytes per instruction) installed before the socket
     *               is bound, so not one unfiltered frame is queued; null for none
     */
    protected PacketSocket(int ethertype, int ifindex, long[] filter) {
        this.ifindex = ifindex;
        this.ethertype = ethertype;
        this.fd = PacketSockets.open(ethertype, ifindex, filter);
        try (Arena a = Arena.ofConfined()) {
            MemorySegment one = a.allocate(JAVA_INT);
            one.set(JAVA_INT, 0, 1);
            // If this fails receive() still works: kernelTimestampNanos is then 0 and receivedNanoTime remains.
            int rc = (int) Libc.SETSOCKOPT.invokeExact(Libc.capture(a), fd, Libc.SOL_SOCKET, Libc.SO_TIMESTAMPNS, one, 4);
            kernelTimestamps = rc == 0;
        } catch (Throwable t) {
            Libc.close(fd);
            throw new IllegalStateException(t);
        }
    }

    /** Every frame of {@code ethertype} on {@code ifindex}, unfiltered. */
    public static PacketSocket open(int ethertype, int ifindex) {
        return new PacketSocket(ethertype, ifindex, null);
    }

    public boolean hasKernelTimestamps() {
        return kernelTimestamps;
    }

    public void send(byte[] frame) {
        byte[] dst = new byte[6];
        System.arraycopy(frame, 0, dst, 0, 6);
        PacketSockets.sendTo(fd, ifindex, ethertype, frame, dst);
    }

    /** Waits up to {@code timeout} for one frame; empty on timeout. */
    public Optional<Received> receive(Duration timeout) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment cap = Libc.capture(a);
            MemorySegment pfd = a.allocate(8, 4);
            pfd.set(JAVA_INT, 0, fd);
            pfd.set(JAVA_SHORT, 4, (short) Libc.POLLIN);
            int ms = (int) Math.max(0, Math.min(Integer.MAX_VALUE, timeout.toMillis()));
            int n = (int) Libc.POLL.invokeExact(cap, pfd, 1L, ms);
            if (n < 0) {
                int err = Libc.errno(cap);
                if (err == Errno.EINTR) {
                    return Optional.empty();
                }
                throw Errno.failure("poll(AF_PACKET)", err);
            }
            if (n == 0) {
                return Optional.empty();
            }
            MemorySegment buf = a.allocate(2048);
            MemorySegment from = a.allocate(PacketSockets.SOCKADDR_LL_SIZE, 4);
            MemorySegment iov = a.allocate(16, 8);
            iov.set(JAVA_LONG, 0, buf.address());
            iov.set(JAVA_LONG, 8, 2048);
            MemorySegment control = a.allocate(128, 8);
            MemorySegment msg = a.allocate(56, 8);
            msg.set(JAVA_LONG, 0, from.address());
            msg.set(JAVA_INT, 8, PacketSockets.SOCKADDR_LL_SIZE);
            msg.set(JAVA_LONG, 16, iov.address());
            msg.set(JAVA_LONG, 24, 1);
            msg.set(JAVA_LONG, 32, control.address());
            msg.set(JAVA_LONG, 40, 128);
            long len = (long) Libc.RECVMSG.invokeExact(cap, fd, msg, 0);
            long at = System.nanoTime();
            if (len < 0) {
                throw Errno.failure("recvmsg(AF_PACKET)", Libc.errno(cap));
            }
            long ts = 0;
            long controlLen = msg.get(JAVA_LONG, 40);
            // One cmsg is expected (SCM_TIMESTAMPNS); walk them anyway, bounded by controllen.
            for (long off = 0; off + 16 <= controlLen; ) {
                long cmsgLen = control.get(JAVA_LONG, off);
                int level = control.get(JAVA_INT, off + 8), type = control.get(JAVA_INT, off + 12);
                if (cmsgLen < 16) {
                    break;
                }
                if (level == Libc.SOL_SOCKET && type == Libc.SO_TIMESTAMPNS && cmsgLen >= 32) {
                    ts = control.get(JAVA_LONG, off + 16) * 1_000_000_000L + control.get(JAVA_LONG, off + 24);
                }
                off += (cmsgLen + 7) & ~7L;
            }
            byte[] frame = new byte[(int) len];
            MemorySegment.copy(buf, JAVA_BYTE, 0, frame, 0, (int) len);
            return Optional.of(new Received(frame, (int) len, ts, at, from.get(JAVA_BYTE, 10) & 0xff));
        } catch (RuntimeException e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    @Override
    public void close() {
        Libc.close(fd);
    }
}
