package dev.l2announcer.demo;

import dev.l2announcer.datapath.MacAddress;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

/**
 * Listens to the client namespace's neighbour-table notifications (rtnetlink RTMGRP_NEIGH) and records
 * every IPv4 and IPv6 entry change with its link-layer address. Forking {@code ip neigh} is too slow to time a
 * GARP or an unsolicited NA (see e2e-facts.md); the notification arrives within microseconds of the update.
 */
final class NeighbourWatch implements AutoCloseable {
    /** One RTM_NEWNEIGH notification; {@code mac} is empty for entries without a link-layer address. */
    record Change(Instant at, InetAddress ip, Optional<MacAddress> mac, int state) {
    }

    private static final int NETLINK_ROUTE = 0;
    private static final int RTMGRP_NEIGH = 0x4;
    private static final int RTM_NEWNEIGH = 28;
    private static final int NDA_DST = 1;
    private static final int NDA_LLADDR = 2;
    private static final int AF_INET = 2;
    private static final int AF_INET6 = 10;

    private final int fd;
    private final Arena arena = Arena.ofShared();
    private final MemorySegment buf = arena.allocate(65536);
    private final MemorySegment iov = arena.allocate(16);
    private final MemorySegment msg = arena.allocate(56);
    private final MemorySegment state = Libc.callState(arena);
    private final List<Change> changes = new ArrayList<>();
    private final Thread reader;
    private volatile boolean running = true;

    NeighbourWatch(String netns) {
        this.fd = Netns.call(netns, () -> {
            int s = Libc.socket(Libc.AF_NETLINK, Libc.SOCK_RAW, NETLINK_ROUTE);
            try (Arena a = Arena.ofConfined()) {
                MemorySegment sa = a.allocate(12);
                sa.set(JAVA_SHORT, 0, (short) Libc.AF_NETLINK);
                sa.set(JAVA_INT, 8, RTMGRP_NEIGH);
                Libc.bind(s, sa);
                Libc.setsockopt(s, Libc.SOL_SOCKET, Libc.SO_RCVTIMEO, Libc.timeval(a, 50));
            }
            return s;
        });
        this.reader = Thread.ofPlatform().daemon().name("neigh-watch").start(this::readLoop);
    }

    private void readLoop() {
        while (running) {
            iov.set(JAVA_LONG, 0, buf.address());
            iov.set(JAVA_LONG, 8, buf.byteSize());
            msg.fill((byte) 0);
            msg.set(JAVA_LONG, 16, iov.address());
            msg.set(JAVA_LONG, 24, 1);
            long n;
            try {
                n = Libc.recvmsg(fd, msg, state);
            } catch (IllegalStateException e) {
                continue; // ENOBUFS: some notifications lost; later ones still carry the current state
            }
            if (n <= 0) {
                continue;
            }
            Instant at = Instant.now();
            parse(at, buf.asSlice(0, n));
        }
    }

    private void parse(Instant at, MemorySegment data) {
        long off = 0;
        while (off + 16 <= data.byteSize()) {
            int len = data.get(JAVA_INT, off);
            int type = data.get(JAVA_SHORT, off + 4) & 0xffff;
            if (len < 16 || off + len > data.byteSize()) {
                return;
            }
            if (type == RTM_NEWNEIGH && len >= 28) {
                long nd = off + 16;
                int family = data.get(JAVA_BYTE, nd) & 0xff;
                int ndState = data.get(JAVA_SHORT, nd + 8) & 0xffff;
                InetAddress ip = null;
                MacAddress mac = null;
                long attr = nd + 12;
                while (attr + 4 <= off + len) {
                    int alen = data.get(JAVA_SHORT, attr) & 0xffff;
                    int atype = data.get(JAVA_SHORT, attr + 2) & 0xffff;
                    if (alen < 4) {
                        break;
                    }
                    byte[] value = data.asSlice(attr + 4, alen - 4).toArray(JAVA_BYTE);
                    if (atype == NDA_DST && (value.length == 4 || value.length == 16)) {
                        ip = address(value);
                    } else if (atype == NDA_LLADDR && value.length == 6) {
                        mac = MacAddress.of(value);
                    }
                    attr += (alen + 3) & ~3;
                }
                if ((family == AF_INET || family == AF_INET6) && ip != null) {
                    synchronized (changes) {
                        changes.add(new Change(at, ip, Optional.ofNullable(mac), ndState));
                    }
                }
            }
            off += (len + 3) & ~3;
        }
    }

    List<Change> changes() {
        synchronized (changes) {
            return List.copyOf(changes);
        }
    }

    /** First change at or after {@code t} that maps {@code ip} to a MAC other than {@code old}. */
    Optional<Change> firstMoveAfter(Instant t, InetAddress ip, MacAddress old) {
        return changes().stream()
                .filter(c -> !c.at().isBefore(t) && c.ip().equals(ip) && c.mac().isPresent()
                        && !c.mac().get().equals(old))
                .findFirst();
    }

    /** IPv4 or IPv6 (without scope: entries are compared by address), from the attribute's bytes. */
    private static InetAddress address(byte[] b) {
        try {
            return InetAddress.getByAddress(b);
        } catch (UnknownHostException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void close() {
        running = false;
        try {
            reader.join(2_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        Libc.close(fd);
    }
}
