package dev.l2announcer.demo;

import dev.l2announcer.datapath.ArpFrame;
import dev.l2announcer.datapath.MacAddress;

import java.net.Inet4Address;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.locks.LockSupport;

/**
 * The fault suite's client: every tick it ARPs a sample of many IPs and records every answer to its probes and
 * every gratuitous ARP, with kernel receive timestamps, in compact columns (13 bytes a frame). A tick's sample
 * is {@code focusPerTick} IPs from the focus set (the IPs the running fault concerns, so each of them is
 * probed every few ticks) plus {@code allPerTick} from a rotation over every IP (so the whole set is watched
 * for two answerers all the time). Probes use {@link NeighbourObserver}'s made-up sender, so no kernel's neighbour
 * table is touched. The prober loop is bounded by {@code maxTicks}; {@link #close()} stops both threads.
 */
public final class ArpSampler implements AutoCloseable {
    private final NeighbourTap tap;
    private final Inet4Address proberIp;
    private final List<Inet4Address> ips;
    private final Map<Integer, Integer> idByAddress = new HashMap<>();
    private final List<MacAddress> macs = new ArrayList<>();
    private final Map<MacAddress, Integer> macIds = new HashMap<>();
    private final Columns probes = new Columns();
    private final Columns answers = new Columns();
    private final Columns garps = new Columns();
    private final List<byte[]> requests;
    private final Thread reader;
    private volatile boolean running = true;
    private volatile int[] focus = new int[0];
    private Thread prober;

    /** Growable columns; appends and snapshots under the object's lock. */
    private static final class Columns {
        private long[] at = new long[1 << 14];
        private int[] ip = new int[1 << 14];
        private byte[] mac = new byte[1 << 14];
        private int n;

        synchronized void add(long t, int ipId, int macId) {
            if (n == at.length) {
                at = Arrays.copyOf(at, n * 2);
                ip = Arrays.copyOf(ip, n * 2);
                mac = Arrays.copyOf(mac, n * 2);
            }
            at[n] = t;
            ip[n] = ipId;
            mac[n] = (byte) macId;
            n++;
        }

        synchronized ArpSamples.Frames snapshot() {
            return new ArpSamples.Frames(Arrays.copyOf(at, n), Arrays.copyOf(ip, n), Arrays.copyOf(mac, n));
        }
    }

    /** @param knownMacs MACs registered first, in this order (the nodes'), so their ids are stable */
    ArpSampler(String clientNetns, String ifname, Inet4Address proberIp, List<Inet4Address> ips, List<MacAddress> knownMacs) {
        if (ips.isEmpty()) {
            throw new IllegalArgumentException("nothing to sample");
        }
        this.ips = List.copyOf(ips);
        this.proberIp = proberIp;
        for (int i = 0; i < this.ips.size(); i++) {
            if (idByAddress.put(key(this.ips.get(i)), i) != null) {
                throw new IllegalArgumentException("sampled twice: " + this.ips.get(i));
            }
        }
        knownMacs.forEach(this::macId);
        this.requests = this.ips.stream().map(ip -> ArpFrame.request(NeighbourObserver.PROBER_MAC, proberIp, ip).encode()).toList();
        this.tap = NeighbourTap.arp(clientNetns, ifname, Duration.ofMillis(50));
        this.reader = Thread.ofPlatform().daemon().name("arp-sampler-reader").start(this::readLoop);
    }

    private static int key(Inet4Address ip) {
        return ByteBuffer.wrap(ip.getAddress()).getInt();
    }

    private synchronized int macId(MacAddress mac) {
        Integer id = macIds.get(mac);
        if (id == null) {
            if (macs.size() == 31) {
                return 30; // more foreign MACs than a probe's bit mask holds: lump the rest together
            }
            id = macs.size();
            macs.add(mac);
            macIds.put(mac, id);
        }
        return id;
    }

    private void readLoop() {
        while (running) {
            tap.receive().ifPresent(p -> {
                Integer ip = p.ip() instanceof Inet4Address v4 ? idByAddress.get(key(v4)) : null;
                if (ip == null) {
                    return;
                }
                long t = p.at().getEpochSecond() * 1_000_000_000L + p.at().getNano();
                if (p.gratuitous()) {
                    garps.add(t, ip, macId(p.senderMac()));
                } else if (p.kind() == NeighbourPacket.Kind.ANSWER && proberIp.equals(p.to())) {
                    answers.add(t, ip, macId(p.senderMac()));
                }
            });
        }
    }

    /** Starts probing: one tick every {@code tick}, at most {@code maxTicks} ticks or until {@link #close()}. */
    synchronized void start(Duration tick, int focusPerTick, int allPerTick, long maxTicks) {
        if (prober != null) {
            throw new IllegalStateException("already probing");
        }
        prober = Thread.ofPlatform().daemon().name("arp-sampler-prober").start(() -> {
            long next = System.nanoTime();
            int all = 0;
            int inFocus = 0;
            for (long i = 0; i < maxTicks && running; i++) {
                int[] f = focus;
                for (int k = 0; k < Math.min(focusPerTick, f.length); k++) {
                    probe(f[inFocus++ % f.length]);
                }
                for (int k = 0; k < allPerTick; k++) {
                    probe(all++ % ips.size());
                }
                next += tick.toNanos();
                long wait = next - System.nanoTime();
                if (wait > 0) {
                    LockSupport.parkNanos(wait);
                } else {
                    next = System.nanoTime(); // fell behind (machine busy): no catch-up burst
                }
            }
        });
    }

    private void probe(int ip) {
        Instant now = Instant.now();
        probes.add(now.getEpochSecond() * 1_000_000_000L + now.getNano(), ip, -1);
        tap.send(requests.get(ip));
    }

    /** The IPs probed {@code focusPerTick} per tick from now on (empty: only the rotation over all). */
    void focus(Collection<Inet4Address> on) {
        focus = on.stream().mapToInt(ip -> {
            Integer id = idByAddress.get(key(ip));
            if (id == null) {
                throw new IllegalArgumentException(ip + " is not sampled");
            }
            return id;
        }).toArray();
    }

    List<Inet4Address> ips() {
        return ips;
    }

    /** Everything seen so far. */
    ArpSamples samples() {
        // Probes first (an answer to a probe sent after the snapshot would belong to none), MACs last (every id in
        // the frames is then known).
        ArpSamples.Frames p = probes.snapshot();
        ArpSamples.Frames g = garps.snapshot();
        ArpSamples.Frames a = answers.snapshot();
        List<MacAddress> m;
        synchronized (this) {
            m = List.copyOf(macs);
        }
        return new ArpSamples(ips, m, p, a, g);
    }

    @Override
    public void close() {
        running = false;
        Thread p;
        synchronized (this) {
            p = prober;
        }
        try {
            if (p != null) {
                p.join(5_000);
            }
            reader.join(2_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        tap.close();
    }
}
