package dev.l2announcer.demo;

import dev.l2announcer.datapath.ArpFrame;
import dev.l2announcer.datapath.MacAddress;

import java.net.Inet4Address;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.locks.LockSupport;

/**
 * The client's view of the LAN: captures every ARP frame on the client's interface (kernel timestamps)
 * and, while probing, asks "who has VIP" at a fixed rate. Probes use a made-up sender MAC and IP that no
 * namespace owns, so the answers never touch the client kernel's neighbour table: GARP effects on that
 * table can be measured while probing runs.
 */
final class ArpObserver implements AutoCloseable {
    static final MacAddress PROBER_MAC = MacAddress.parse("02:00:00:00:00:99");

    private final ArpTap tap;
    private final Inet4Address proberIp;
    private final List<ArpPacket> packets = new ArrayList<>();
    private final List<Instant> probes = new ArrayList<>();
    private final Thread reader;
    private volatile boolean running = true;
    private volatile Thread prober;
    private volatile boolean probing;

    ArpObserver(String clientNetns, String ifname, Inet4Address proberIp) {
        this.tap = ArpTap.open(clientNetns, ifname, Duration.ofMillis(50));
        this.proberIp = proberIp;
        this.reader = Thread.ofPlatform().daemon().name("arp-observer").start(this::readLoop);
    }

    private void readLoop() {
        while (running) {
            tap.receive().ifPresent(p -> {
                synchronized (packets) {
                    packets.add(p);
                }
            });
        }
    }

    /**
     * Sends one request for {@code vip} every {@code interval}, at most {@code maxProbes} times or until
     * {@link #stopProbing()}.
     */
    synchronized void startProbing(Inet4Address vip, Duration interval, int maxProbes) {
        startProbing(List.of(vip), interval, maxProbes);
    }

    /** As above for several VIPs: one request per VIP, back to back, each round. */
    synchronized void startProbing(List<Inet4Address> vips, Duration interval, int maxRounds) {
        stopProbing();
        probing = true;
        List<ArpFrame> frames = vips.stream().map(vip -> ArpFrame.request(PROBER_MAC, proberIp, vip)).toList();
        prober = Thread.ofPlatform().daemon().name("arp-prober").start(() -> {
            long next = System.nanoTime();
            for (int i = 0; i < maxRounds && probing && running; i++) {
                Instant sent = Instant.now();
                synchronized (probes) {
                    probes.add(sent);
                }
                frames.forEach(tap::send);
                next += interval.toNanos();
                long wait = next - System.nanoTime();
                if (wait > 0) {
                    LockSupport.parkNanos(wait);
                }
            }
        });
    }

    synchronized void stopProbing() {
        probing = false;
        Thread t = prober;
        if (t != null) {
            try {
                t.join(5_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            prober = null;
        }
    }

    ArpTimeline timeline(Inet4Address vip) {
        synchronized (packets) {
            synchronized (probes) {
                return new ArpTimeline(vip, proberIp, List.copyOf(packets), List.copyOf(probes));
            }
        }
    }

    List<ArpPacket> packets() {
        synchronized (packets) {
            return List.copyOf(packets);
        }
    }

    @Override
    public void close() {
        stopProbing();
        running = false;
        try {
            reader.join(2_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        tap.close();
    }
}
