package dev.l2announcer.demo;

import dev.l2announcer.datapath.ArpFrame;
import dev.l2announcer.datapath.MacAddress;
import dev.l2announcer.datapath.NdpFrame;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.locks.LockSupport;

/**
 * The client's view of the LAN, both families: captures every ARP frame and every Neighbor Solicitation and
 * Advertisement on the client's interface (kernel timestamps) and, while probing, asks "who has VIP" at a fixed
 * rate (an ARP request for an IPv4 VIP, a Neighbor Solicitation to its solicited-node group for an IPv6 one).
 * Probes use a made-up sender MAC and IPs that no namespace owns, so the answers never touch the client kernel's
 * neighbour table: gratuitous ARP and unsolicited NA effects on that table can be measured while probing runs.
 */
final class NeighbourObserver implements AutoCloseable {
    static final MacAddress PROBER_MAC = MacAddress.parse("02:00:00:00:00:99");

    private final NeighbourTap arp;
    private final NeighbourTap ndp;
    private final Inet4Address proberIp;
    private final Inet6Address proberIp6;
    private final List<NeighbourPacket> packets = new ArrayList<>();
    private final List<Instant> probes = new ArrayList<>();
    private final List<Thread> readers;
    private volatile boolean running = true;
    private volatile Thread prober;
    private volatile boolean probing;

    NeighbourObserver(String clientNetns, String ifname, Inet4Address proberIp, Inet6Address proberIp6) {
        this.arp = NeighbourTap.arp(clientNetns, ifname, Duration.ofMillis(50));
        this.ndp = NeighbourTap.ndp(clientNetns, ifname, Duration.ofMillis(50));
        this.proberIp = proberIp;
        this.proberIp6 = proberIp6;
        this.readers = List.of(Thread.ofPlatform().daemon().name("arp-observer").start(() -> readLoop(arp)),
                Thread.ofPlatform().daemon().name("ndp-observer").start(() -> readLoop(ndp)));
    }

    private void readLoop(NeighbourTap tap) {
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
    synchronized void startProbing(InetAddress vip, Duration interval, int maxProbes) {
        startProbing(List.of(vip), interval, maxProbes);
    }

    /** As above for several VIPs of either family: one request per VIP, back to back, each round. */
    synchronized void startProbing(List<? extends InetAddress> vips, Duration interval, int maxRounds) {
        stopProbing();
        probing = true;
        List<Runnable> sends = vips.stream().map(this::probe).toList();
        prober = Thread.ofPlatform().daemon().name("neighbour-prober").start(() -> {
            long next = System.nanoTime();
            for (int i = 0; i < maxRounds && probing && running; i++) {
                Instant sent = Instant.now();
                synchronized (probes) {
                    probes.add(sent);
                }
                sends.forEach(Runnable::run);
                next += interval.toNanos();
                long wait = next - System.nanoTime();
                if (wait > 0) {
                    LockSupport.parkNanos(wait);
                }
            }
        });
    }

    private Runnable probe(InetAddress vip) {
        if (vip instanceof Inet6Address v6) {
            byte[] ns = NdpFrame.solicitation(PROBER_MAC, proberIp6, v6).encode();
            return () -> ndp.send(ns);
        }
        byte[] request = ArpFrame.request(PROBER_MAC, proberIp, (Inet4Address) vip).encode();
        return () -> arp.send(request);
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

    NeighbourTimeline timeline(InetAddress vip) {
        InetAddress from = vip instanceof Inet6Address ? proberIp6 : proberIp;
        synchronized (packets) {
            synchronized (probes) {
                return new NeighbourTimeline(vip, from, List.copyOf(packets), List.copyOf(probes));
            }
        }
    }

    List<NeighbourPacket> packets() {
        synchronized (packets) {
            return List.copyOf(packets);
        }
    }

    @Override
    public void close() {
        stopProbing();
        running = false;
        for (Thread r : readers) {
            try {
                r.join(2_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        arp.close();
        ndp.close();
    }
}
