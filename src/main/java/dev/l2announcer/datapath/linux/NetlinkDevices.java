package dev.l2announcer.datapath.linux;

import dev.l2announcer.datapath.Device;
import dev.l2announcer.datapath.Devices;
import dev.l2announcer.datapath.MacAddress;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.logging.Level;
import java.util.logging.Logger;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

/**
 * Links via rtnetlink (RTM_GETLINK dump) rather than java.net.NetworkInterface, which omits links
 * without an IP address and down links. Acts on the network namespace of the thread that opens
 * the netlink socket; a subscription's socket is opened by the subscriber's thread.
 */
public final class NetlinkDevices implements Devices {
    private static final Logger LOG = Logger.getLogger(NetlinkDevices.class.getName());
    private static final int NETLINK_ROUTE = 0, RTMGRP_LINK = 1;
    private static final int RTM_NEWLINK = 16, RTM_GETLINK = 18, NLMSG_ERROR = 2, NLMSG_DONE = 3;
    private static final int NLM_F_DUMP_INTR = 0x10;
    private static final int NLM_F_REQUEST = 1, NLM_F_DUMP = 0x300, MSG_DONTWAIT = 0x40;
    private static final int IFLA_ADDRESS = 1, IFLA_IFNAME = 3, IFLA_OPERSTATE = 16, IFLA_LINKINFO = 18,
            IFLA_INFO_KIND = 1, IFLA_XDP = 43, IFLA_XDP_PROG_ID = 4;
    private static final int IFF_UP = 1, IFF_LOOPBACK = 8;
    private static final String[] OPER_STATES = {"unknown", "notpresent", "down", "lowerlayerdown", "testing",
            "dormant", "up"};
    private static final AtomicInteger SEQ = new AtomicInteger(1);

    @Override
    public List<Device> list() {
        // A dump that raced with a link change is flagged NLM_F_DUMP_INTR: take it again (bounded).
        for (int attempt = 1; ; attempt++) {
            try {
                return dumpOnce();
            } catch (DumpInterrupted e) {
                if (attempt >= 5) {
                    throw new IllegalStateException("RTM_GETLINK dump interrupted " + attempt + " times in a row");
                }
            }
        }
    }

    private static final class DumpInterrupted extends RuntimeException {
        DumpInterrupted() {
            super(null, null, false, false);
        }
    }

    private List<Device> dumpOnce() {
        int fd = open(0);
        try (Arena a = Arena.ofConfined()) {
            int seq = SEQ.getAndIncrement();
            MemorySegment req = a.allocate(32, 4);
            req.set(JAVA_INT, 0, 32);
            req.set(JAVA_SHORT, 4, (short) RTM_GETLINK);
            req.set(JAVA_SHORT, 6, (short) (NLM_F_REQUEST | NLM_F_DUMP));
            req.set(JAVA_INT, 8, seq);
            req.set(JAVA_BYTE, 16, (byte) 0 /* AF_UNSPEC */);
            MemorySegment cap = Libc.capture(a);
            long sent = (long) Libc.SEND.invokeExact(cap, fd, req, 32L, 0);
            if (sent < 0) {
                throw Errno.failure("send(RTM_GETLINK)", Libc.errno(cap));
            }
            List<Device> out = new ArrayList<>();
            MemorySegment buf = a.allocate(65536, 8);
            // Bounded: a dump of even thousands of links ends well within this many datagrams.
            for (int round = 0; round < 100_000; round++) {
                long n = (long) Libc.RECV.invokeExact(cap, fd, buf, 65536L, 0);
                if (n < 0) {
                    int err = Libc.errno(cap);
                    if (err == Errno.EINTR) {
                        continue;
                    }
                    throw Errno.failure("recv(RTM_GETLINK dump)", err);
                }
                ByteBuffer b = buf.asSlice(0, n).asByteBuffer().order(ByteOrder.nativeOrder());
                if (parseMessages(b, out)) {
                    return List.copyOf(out);
                }
            }
            throw new IllegalStateException("RTM_GETLINK dump did not end");
        } catch (RuntimeException e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        } finally {
            Libc.close(fd);
        }
    }

    /** @return true once NLMSG_DONE was seen */
    static boolean parseMessages(ByteBuffer b, List<Device> out) {
        int pos = 0;
        while (pos + 16 <= b.limit()) {
            int len = b.getInt(pos);
            int type = b.getShort(pos + 4) & 0xffff;
            int flags = b.getShort(pos + 6) & 0xffff;
            if (len < 16 || pos + len > b.limit()) {
                break;
            }
            if ((flags & NLM_F_DUMP_INTR) != 0) {
                throw new DumpInterrupted();
            }
            if (type == NLMSG_DONE) {
                return true;
            }
            if (type == NLMSG_ERROR) {
                int err = -b.getInt(pos + 16);
                if (err != 0) {
                    throw Errno.failure("RTM_GETLINK", err);
                }
            }
            if (type == RTM_NEWLINK) {
                out.add(parseLink(b.slice(pos + 16, len - 16).order(ByteOrder.nativeOrder())));
            }
            pos += (len + 3) & ~3;
        }
        return false;
    }

    static Device parseLink(ByteBuffer m) {
        int ifindex = m.getInt(4);
        int flags = m.getInt(8);
        String name = "";
        MacAddress mac = null;
        String oper = "unknown";
        String kind = "";
        int xdpProg = 0;
        int pos = 16;
        while (pos + 4 <= m.limit()) {
            int alen = m.getShort(pos) & 0xffff;
            int atype = m.getShort(pos + 2) & 0x3fff;
            if (alen < 4 || pos + alen > m.limit()) {
                break;
            }
            int data = pos + 4, dlen = alen - 4;
            switch (atype) {
                case IFLA_IFNAME -> name = cString(m, data, dlen);
                case IFLA_ADDRESS -> {
                    if (dlen == 6) {
                        byte[] x = new byte[6];
                        m.get(data, x);
                        mac = MacAddress.of(x);
                    }
                }
                case IFLA_OPERSTATE -> {
                    int s = m.get(data) & 0xff;
                    oper = s < OPER_STATES.length ? OPER_STATES[s] : "unknown";
                }
                case IFLA_LINKINFO -> kind = nested(m, data, dlen, IFLA_INFO_KIND).map(p -> cString(m, p[0], p[1])).orElse("");
                case IFLA_XDP -> xdpProg = nested(m, data, dlen, IFLA_XDP_PROG_ID).map(p -> m.getInt(p[0])).orElse(0);
                default -> {
                }
            }
            pos += (alen + 3) & ~3;
        }
        return new Device(ifindex, name, mac, (flags & IFF_UP) != 0, (flags & IFF_LOOPBACK) != 0, oper, kind, xdpProg);
    }

    private static java.util.Optional<int[]> nested(ByteBuffer m, int start, int len, int wanted) {
        int pos = start;
        while (pos + 4 <= start + len) {
            int alen = m.getShort(pos) & 0xffff;
            int atype = m.getShort(pos + 2) & 0x3fff;
            if (alen < 4) {
                break;
            }
            if (atype == wanted) {
                return java.util.Optional.of(new int[]{pos + 4, alen - 4});
            }
            pos += (alen + 3) & ~3;
        }
        return java.util.Optional.empty();
    }

    private static String cString(ByteBuffer m, int start, int len) {
        int n = 0;
        while (n < len && m.get(start + n) != 0) {
            n++;
        }
        byte[] b = new byte[n];
        m.get(start, b);
        return new String(b, StandardCharsets.US_ASCII);
    }

    private static int open(int groups) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment cap = Libc.capture(a);
            int fd = (int) Libc.SOCKET.invokeExact(cap, Libc.AF_NETLINK, Libc.SOCK_RAW | Libc.SOCK_CLOEXEC, NETLINK_ROUTE);
            if (fd < 0) {
                throw Errno.failure("socket(AF_NETLINK)", Libc.errno(cap));
            }
            MemorySegment sa = a.allocate(12, 4);
            sa.set(JAVA_SHORT, 0, (short) Libc.AF_NETLINK);
            sa.set(JAVA_INT, 8, groups);
            int rc = (int) Libc.BIND.invokeExact(cap, fd, sa, 12);
            if (rc < 0) {
                int err = Libc.errno(cap);
                Libc.close(fd);
                throw Errno.failure("bind(AF_NETLINK)", err);
            }
            return fd;
        } catch (RuntimeException e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    /**
     * Link notifications. Each subscription has its own netlink socket, opened here in the caller's
     * network namespace; one platform thread per instance ({@code l2a-netlink-links}) polls all of them
     * (the agent has four subscribers: one thread instead of four). Events coalesce into one
     * {@code onChange} per wake-up and socket; ENOBUFS (lost notifications) also triggers one, since the
     * listener re-reads the full state anyway. Listeners run on that thread and must not block.
     */
    @Override
    public AutoCloseable subscribe(Runnable onChange) {
        return watcher.add(open(RTMGRP_LINK), onChange);
    }

    private final LinkWatcher watcher = new LinkWatcher();

    /** The polling thread of this instance's subscriptions; it exits when the last one is closed. */
    private static final class LinkWatcher {
        private static final int MAX_SUBSCRIPTIONS = 64;

        private static final class Subscription {
            final int fd;
            final Runnable onChange;
            volatile boolean closed;
            final CountDownLatch released = new CountDownLatch(1);

            Subscription(int fd, Runnable onChange) {
                this.fd = fd;
                this.onChange = onChange;
            }
        }

        private final List<Subscription> subscriptions = new ArrayList<>(); // guarded by this
        private Thread thread; // guarded by this

        synchronized AutoCloseable add(int fd, Runnable onChange) {
            if (subscriptions.size() >= MAX_SUBSCRIPTIONS) {
                Libc.close(fd);
                throw new IllegalStateException("more than " + MAX_SUBSCRIPTIONS + " link subscriptions");
            }
            Subscription s = new Subscription(fd, onChange);
            subscriptions.add(s);
            if (thread == null) {
                thread = Thread.ofPlatform().daemon().name("l2a-netlink-links").unstarted(this::run);
                thread.start();
            }
            Thread poller = thread;
            return () -> {
                s.closed = true;
                // The poller closes the socket (never while it polls it) within one poll timeout.
                if (Thread.currentThread() != poller) {
                    s.released.await(2, TimeUnit.SECONDS);
                }
            };
        }

        /** Closes the sockets of closed subscriptions; the live ones, or null when the thread should end. */
        private synchronized List<Subscription> live() {
            for (Subscription s : subscriptions) {
                if (s.closed) {
                    release(s);
                }
            }
            subscriptions.removeIf(s -> s.closed);
            if (subscriptions.isEmpty()) {
                thread = null;
                return null;
            }
            return List.copyOf(subscriptions);
        }

        private static void release(Subscription s) {
            Libc.close(s.fd);
            s.released.countDown();
        }

        private void run() {
            try (Arena a = Arena.ofConfined()) {
                MemorySegment cap = Libc.capture(a);
                MemorySegment pfds = a.allocate(8L * MAX_SUBSCRIPTIONS, 4);
                MemorySegment buf = a.allocate(65536, 8);
                List<Subscription> live;
                while ((live = live()) != null) {
                    for (int i = 0; i < live.size(); i++) {
                        pfds.set(JAVA_INT, 8L * i, live.get(i).fd);
                        pfds.set(JAVA_SHORT, 8L * i + 4, (short) Libc.POLLIN);
                        pfds.set(JAVA_SHORT, 8L * i + 6, (short) 0);
                    }
                    int n = (int) Libc.POLL.invokeExact(cap, pfds, (long) live.size(), 200);
                    for (int i = 0; n > 0 && i < live.size(); i++) {
                        Subscription s = live.get(i);
                        if (pfds.get(JAVA_SHORT, 8L * i + 6) != 0 && drain(s.fd, cap, buf) && !s.closed) {
                            try {
                                s.onChange.run();
                            } catch (RuntimeException e) {
                                LOG.log(Level.WARNING, "link change listener failed", e);
                            }
                        }
                    }
                }
            } catch (Throwable e) {
                LOG.log(Level.SEVERE, "netlink link subscriptions stopped", e);
                synchronized (this) {
                    subscriptions.forEach(LinkWatcher::release);
                    subscriptions.clear();
                    thread = null;
                }
            }
        }

        /** Reads every pending notification; true if there was at least one (or some were lost). */
        private static boolean drain(int fd, MemorySegment cap, MemorySegment buf) throws Throwable {
            boolean changed = false;
            for (int drained = 0; drained < 1024; drained++) {
                long r = (long) Libc.RECV.invokeExact(cap, fd, buf, 65536L, MSG_DONTWAIT);
                if (r >= 0) {
                    changed = true;
                    continue;
                }
                if (Libc.errno(cap) == Errno.ENOBUFS) {
                    changed = true;
                    continue;
                }
                break; // EAGAIN: drained
            }
            return changed;
        }
    }
}
