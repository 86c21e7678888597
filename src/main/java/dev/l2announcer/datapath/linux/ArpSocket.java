package dev.l2announcer.datapath.linux;

import dev.l2announcer.datapath.ArpFrame;
import dev.l2announcer.datapath.MacAddress;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.time.Duration;
import java.util.Optional;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

/**
 * AF_PACKET socket bound to one interface for ETH_P_ARP: sends frames and receives ARP frames with
 * kernel receive timestamps (SO_TIMESTAMPNS, CLOCK_REALTIME). {@link #receive} blocks in poll(2):
 * call it from a platform thread. Opened in the calling thread's network namespace.
 */
public final class ArpSocket implements AutoCloseable {
    public static final int PACKET_HOST = 0, PACKET_BROADCAST = 1, PACKET_OUTGOING = 4;

    /**
     * @param kernelTimestampNanos CLOCK_REALTIME ns of reception from SO_TIMESTAMPNS, or 0 if absent
     * @param packetType           sll_pkttype (PACKET_OUTGOING for our own transmissions)
     */
    public record Received(byte[] frame, int length, long kernelTimestampNanos, long receivedNanoTime, int packetType) {
        public Optional<ArpFrame> arp() {
            return ArpFrame.parse(frame, length);
        }
    }

    private final int fd;
    private final int ifindex;
    private final boolean kernelTimestamps;

    public ArpSocket(int ifindex) {
        this.ifindex = ifindex;
        this.fd = PacketSockets.open(ArpFrame.ETH_P_ARP, ifindex);
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

    public boolean hasKernelTimestamps() {
        return kernelTimestamps;
    }

    public void send(byte[] frame) {
        byte[] dst = new byte[6];
        System.arraycopy(frame, 0, dst, 0, 6);
        PacketSockets.sendTo(fd, ifindex, frame, dst);
    }

    public void send(ArpFrame frame) {
        send(frame.encode());
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

    /** Sends a request for {@code target} and waits for the first matching reply, bounded by {@code timeout}. */
    public Optional<ArpFrame> resolve(MacAddress ownMac, java.net.Inet4Address ownIp, java.net.Inet4Address target,
                                      Duration timeout) {
        send(ArpFrame.request(ownMac, ownIp, target));
        long deadline = System.nanoTime() + timeout.toNanos();
        for (long left = timeout.toNanos(); left > 0; left = deadline - System.nanoTime()) {
            Optional<Received> r = receive(Duration.ofNanos(left));
            if (r.isEmpty()) {
                return Optional.empty();
            }
            Optional<ArpFrame> f = r.get().arp();
            if (r.get().packetType() != PACKET_OUTGOING && f.isPresent() && f.get().op() == ArpFrame.OP_REPLY
                    && f.get().senderIp().equals(target)) {
                return f;
            }
        }
        return Optional.empty();
    }

    @Override
    public void close() {
        Libc.close(fd);
    }
}
