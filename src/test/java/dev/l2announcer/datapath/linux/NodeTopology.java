package dev.l2announcer.datapath.linux;

import dev.l2announcer.demo.HostCommand;
import dev.l2announcer.demo.Netns;
import dev.l2announcer.datapath.ArpFrame;
import dev.l2announcer.datapath.Device;
import dev.l2announcer.time.TaskScheduler;

import java.io.IOException;
import java.net.Inet4Address;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Stream;


/** node namespace (veth nodeIf) <-> client namespace (veth clientIf, 192.0.2.2/24), plus a private pin dir. */
final class NodeTopology implements AutoCloseable {
    final String node, client, nodeIf, clientIf;
    final Path pinDir;
    final Netns nodeNs, clientNs;
    private final List<AutoCloseable> extra = new CopyOnWriteArrayList<>();

    NodeTopology(String tag) {
        long pid = ProcessHandle.current().pid();
        node = "l2a-dp-" + tag + "-n-" + pid;
        client = "l2a-dp-" + tag + "-c-" + pid;
        nodeIf = "l2adp" + tag + "n";
        clientIf = "l2adp" + tag + "c";
        pinDir = Path.of("/sys/fs/bpf/l2a-dp-" + tag + "-" + pid);
        nodeNs = Netns.create(node);
        clientNs = Netns.create(client);
        nodeNs.ip("link", "set", "lo", "up");
        clientNs.ip("link", "set", "lo", "up");
        nodeNs.veth(nodeIf, clientNs, clientIf);
        HostCommand.ok("ip", "-n", client, "addr", "add", "192.0.2.2/24", "dev", clientIf);
    }

    Device device(Netns ns, String name) {
        return ns.run(() -> new NetlinkDevices().list().stream().filter(d -> d.name().equals(name)).findFirst().orElseThrow());
    }

    Device nodeDevice() {
        return device(nodeNs, nodeIf);
    }

    Device clientDevice() {
        return device(clientNs, clientIf);
    }

    /** A TaskScheduler whose single platform thread lives in the node namespace. */
    TaskScheduler nodeScheduler() {
        ScheduledExecutorService ex = Executors.newSingleThreadScheduledExecutor(
                NetNs.platformThreadsIn(Path.of("/run/netns", node), "l2a-dp-reconciler"));
        extra.add(ex::shutdownNow);
        return TaskScheduler.of(ex);
    }

    /** Captures ARP frames on the client side on a platform thread in the client namespace, until close. */
    Capture capture() {
        Capture c = new Capture();
        ExecutorService t = Executors.newSingleThreadExecutor(NetNs.platformThreadsIn(Path.of("/run/netns", client), "l2a-dp-capture"));
        extra.add(t::shutdownNow);
        int ifindex = clientDevice().ifindex();
        t.submit(() -> {
            try (ArpSocket s = new ArpSocket(ifindex)) {
                c.ready.set(true);
                while (!c.stop.get()) {
                    s.receive(Duration.ofMillis(100)).ifPresent(c.frames::add);
                }
            }
            return null;
        });
        extra.add(() -> c.stop.set(true));
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (!c.ready.get() && System.nanoTime() < deadline) {
            Thread.onSpinWait();
        }
        return c;
    }

    static final class Capture {
        final List<ArpSocket.Received> frames = new CopyOnWriteArrayList<>();
        final AtomicBoolean stop = new AtomicBoolean();
        final AtomicBoolean ready = new AtomicBoolean();

        List<ArpSocket.Received> gratuitousFor(Inet4Address ip) {
            return frames.stream().filter(r -> r.packetType() != ArpSocket.PACKET_OUTGOING)
                    .filter(r -> r.arp().filter(f -> f.isGratuitous() && f.senderIp().equals(ip)).isPresent()).toList();
        }

        List<ArpFrame> arp() {
            return frames.stream().flatMap(r -> r.arp().stream()).toList();
        }
    }

    @Override
    public void close() {
        for (AutoCloseable c : extra) {
            try {
                c.close();
            } catch (Exception e) {
                System.out.println("cleanup: " + e);
            }
        }
        nodeNs.close();
        clientNs.close();
        if (Files.exists(pinDir)) {
            try (Stream<Path> s = Files.walk(pinDir)) {
                s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            } catch (IOException e) {
                System.out.println("could not remove " + pinDir + ": " + e);
            }
        }
    }
}
