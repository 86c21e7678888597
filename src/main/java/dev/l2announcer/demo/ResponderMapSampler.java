package dev.l2announcer.demo;

import dev.l2announcer.datapath.DatapathException;
import dev.l2announcer.datapath.ResponderEntry;
import dev.l2announcer.datapath.ResponderKeys;
import dev.l2announcer.datapath.linux.Bpf;
import dev.l2announcer.datapath.linux.BpfLoader;
import dev.l2announcer.datapath.linux.SyscallBpf;

import java.net.Inet4Address;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.locks.LockSupport;

/**
 * Samples every node's pinned datapath state at a bounded rate, straight from the run's bpffs (the test JVM
 * sees every node's pin directory; bpf(2) on a pinned map needs no namespace): the responder entries and the
 * liveness stamp. A node <b>answers</b> an IP at a sample when the entry {IP, its LAN interface} is in its map
 * and its stamp is fresh (younger than the max age the agent wrote, on CLOCK_MONOTONIC, the clock
 * bpf_ktime_get_ns reads): exactly the XDP program's test. Two nodes answering one IP at one sample is a
 * datapath-level instant with two responders. One platform thread, bounded by {@code maxSamples}.
 */
public final class ResponderMapSampler implements AutoCloseable {
    /** One node's pins and the ifindex of its LAN interface (the one the client is on). */
    public record Node(String name, Path pinDir, int lanIfindex) {
    }

    /**
     * One node at one sample: whether its program would answer at all ({@code fresh}), the IPs (ids) it has on
     * the LAN interface, and its entry count over every interface (-1: no map pinned).
     */
    public record NodeState(boolean fresh, BitSet lanIps, int entries) {
        public BitSet answering() {
            return fresh ? lanIps : new BitSet();
        }
    }

    /** Every node's state at {@code at} (epoch ns, taken after the reads). */
    public record Sample(long at, List<NodeState> nodes) {
    }

    private final Bpf bpf = new SyscallBpf();
    private final List<Node> nodes;
    private final Map<Integer, Integer> idByAddress = new HashMap<>();
    private final List<Sample> samples = new ArrayList<>();
    private final Thread thread;
    private volatile boolean running = true;

    ResponderMapSampler(List<Node> nodes, List<Inet4Address> ips, Duration interval, long maxSamples) {
        this.nodes = List.copyOf(nodes);
        for (int i = 0; i < ips.size(); i++) {
            idByAddress.put(ByteBuffer.wrap(ips.get(i).getAddress()).getInt(), i);
        }
        this.thread = Thread.ofPlatform().daemon().name("responder-map-sampler").start(() -> {
            long next = System.nanoTime();
            for (long i = 0; i < maxSamples && running; i++) {
                Sample s = sample();
                synchronized (samples) {
                    samples.add(s);
                }
                next += interval.toNanos();
                long wait = next - System.nanoTime();
                if (wait > 0) {
                    LockSupport.parkNanos(wait);
                } else {
                    next = System.nanoTime();
                }
            }
        });
    }

    /** Reads every node once (also usable while the thread runs: reads only). */
    Sample sample() {
        List<NodeState> states = new ArrayList<>(nodes.size());
        for (Node n : nodes) {
            states.add(read(n));
        }
        Instant now = Instant.now();
        return new Sample(now.getEpochSecond() * 1_000_000_000L + now.getNano(), List.copyOf(states));
    }

    private NodeState read(Node n) {
        int map = -1;
        int liveness = -1;
        try {
            map = bpf.objGet(n.pinDir().resolve(BpfLoader.RESPONDER_MAP).toString());
            liveness = bpf.objGet(n.pinDir().resolve(BpfLoader.LIVENESS_MAP).toString());
            Bpf.Batch b = bpf.lookupAll(map, ResponderKeys.KEY_SIZE, ResponderKeys.VALUE_SIZE, bpf.mapInfo(map).maxEntries());
            BitSet lan = new BitSet();
            for (int i = 0; i < b.count(); i++) {
                byte[] k = new byte[ResponderKeys.KEY_SIZE];
                System.arraycopy(b.keys(), i * ResponderKeys.KEY_SIZE, k, 0, k.length);
                ResponderEntry e = ResponderKeys.decode(k);
                Integer id = idByAddress.get(ByteBuffer.wrap(e.ip().getAddress()).getInt());
                if (id != null && e.ifindex() == n.lanIfindex()) {
                    lan.set(id);
                }
            }
            byte[] v = new byte[16];
            boolean fresh = false;
            if (bpf.lookup(liveness, new byte[4], v)) {
                ByteBuffer bb = ByteBuffer.wrap(v).order(ByteOrder.nativeOrder());
                long last = bb.getLong();
                long maxAge = bb.getLong();
                fresh = last != 0 && System.nanoTime() - last <= maxAge;
            }
            return new NodeState(fresh, lan, b.count());
        } catch (DatapathException e) {
            return new NodeState(false, new BitSet(), -1); // not pinned (yet): nothing answers
        } finally {
            if (map >= 0) {
                bpf.close(map);
            }
            if (liveness >= 0) {
                bpf.close(liveness);
            }
        }
    }

    List<Node> nodes() {
        return nodes;
    }

    /** The samples taken in [from, to) (epoch ns). */
    List<Sample> samples(long from, long to) {
        synchronized (samples) {
            return samples.stream().filter(s -> s.at() >= from && s.at() < to).toList();
        }
    }

    List<Sample> samples() {
        synchronized (samples) {
            return List.copyOf(samples);
        }
    }

    /** IP ids two or more nodes answered at sample {@code s}. */
    static BitSet overlap(Sample s) {
        BitSet seen = new BitSet();
        BitSet twice = new BitSet();
        for (NodeState n : s.nodes()) {
            BitSet a = (BitSet) n.answering().clone();
            BitSet again = (BitSet) a.clone();
            again.and(seen);
            twice.or(again);
            seen.or(a);
        }
        return twice;
    }

    @Override
    public void close() {
        running = false;
        try {
            thread.join(5_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
