package dev.l2announcer.datapath.linux;

import dev.l2announcer.demo.HostCommand;
import dev.l2announcer.datapath.ArpFrame;
import dev.l2announcer.datapath.Device;
import dev.l2announcer.datapath.ResponderEntry;
import dev.l2announcer.datapath.ResponderReconciler;
import dev.l2announcer.datapath.LocalAnnouncement;
import dev.l2announcer.config.AgentConfig;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** The reconciler on the real datapath, rtnetlink and packet sockets, inside test namespaces. */
class ResponderReconcilerKernelTest {
    static final Inet4Address CLIENT_IP = ip("192.0.2.2"), VIP = ip("192.0.2.100");
    NodeTopology topo;
    BpfDatapath dp;
    LinuxDatapath datapath;
    ResponderReconciler reconciler;

    static Inet4Address ip(String s) {
        try {
            return (Inet4Address) InetAddress.getByName(s);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    @BeforeEach
    void setUp() {
        if (!HostCommand.isRoot()) {
            System.out.println("SKIP ResponderReconcilerKernelTest: needs root (BPF, network namespaces)");
        }
        Assumptions.assumeTrue(HostCommand.isRoot(), "needs root");
        topo = new NodeTopology("rc");
        AgentConfig config = new AgentConfig(true, Duration.ofSeconds(15), Duration.ofSeconds(5), Duration.ofSeconds(2), 10, 20,
                List.of(), false, "", "", true, "false", "node-a", "kube-system", topo.pinDir, 2, Duration.ofMillis(200),
                Duration.ofSeconds(60), 9890);
        datapath = topo.nodeNs.run(() -> LinuxDatapath.open(config));
        dp = datapath.program();
        reconciler = datapath.reconciler(topo.nodeScheduler(), (lease, now) -> true, new ResponderReconciler.Listener() {
        });
        reconciler.start();
    }

    @AfterEach
    void tearDown() {
        try {
            if (reconciler != null) {
                reconciler.close();
            }
            if (dp != null) {
                topo.nodeNs.exec(() -> {
                    dp.destroyPins();
                    datapath.close();
                });
            }
        } finally {
            if (topo != null) {
                topo.close();
            }
        }
    }

    Optional<ArpFrame> ask(Inet4Address target) {
        Device c = topo.clientDevice();
        return topo.clientNs.run(() -> {
            try (ArpSocket s = new ArpSocket(c.ifindex())) {
                return s.resolve(c.mac(), CLIENT_IP, target, Duration.ofMillis(500));
            }
        });
    }

    @Test
    void desiredEntryIsAnsweredAndAnnouncedAndRemovalDetaches() {
        NodeTopology.Capture cap = topo.capture();
        Device n = topo.nodeDevice();
        reconciler.desire(Set.of(new LocalAnnouncement(VIP, topo.nodeIf, "cilium-l2announce-default-test")));
        await().atMost(Duration.ofSeconds(5)).until(() -> cap.gratuitousFor(VIP).size() >= 4); // 2 bursts x 2 forms
        assertThat(cap.gratuitousFor(VIP)).allMatch(r -> r.arp().orElseThrow().senderMac().equals(n.mac()));
        assertThat(ask(VIP).map(ArpFrame::senderMac)).contains(n.mac());
        assertThat(topo.nodeDevice().xdpProgId()).isEqualTo(dp.programId());
        assertThat(reconciler.responsesSent()).containsEntry(new ResponderEntry(VIP, n.ifindex()), 1L);

        reconciler.desire(Set.of());
        await().atMost(Duration.ofSeconds(5)).until(() -> topo.nodeDevice().xdpProgId() == 0);
        assertThat(dp.responderMap().list()).isEmpty();
        assertThat(ask(VIP)).isEmpty();
    }

    @Test
    void recreatedLinkIsFollowedThroughItsNewIfindex() {
        reconciler.desire(Set.of(new LocalAnnouncement(VIP, topo.nodeIf, "cilium-l2announce-default-test")));
        await().atMost(Duration.ofSeconds(5)).until(() -> ask(VIP).isPresent());
        int oldIfindex = topo.nodeDevice().ifindex();
        HostCommand.ok("ip", "-n", topo.node, "link", "del", topo.nodeIf);
        topo.nodeNs.veth(topo.nodeIf, topo.clientNs, topo.clientIf);
        HostCommand.ok("ip", "-n", topo.client, "addr", "add", "192.0.2.2/24", "dev", topo.clientIf);
        Device n = topo.nodeDevice();
        assertThat(n.ifindex()).isNotEqualTo(oldIfindex);
        await().atMost(Duration.ofSeconds(5)).until(() -> dp.responderMap().list().containsKey(new ResponderEntry(VIP, n.ifindex())));
        assertThat(dp.responderMap().list()).containsOnlyKeys(new ResponderEntry(VIP, n.ifindex()));
        await().atMost(Duration.ofSeconds(5)).until(() -> ask(VIP).map(ArpFrame::senderMac).equals(Optional.of(n.mac())));
    }

    @Test
    void linkComingBackUpIsReannounced() {
        reconciler.desire(Set.of(new LocalAnnouncement(VIP, topo.nodeIf, "cilium-l2announce-default-test")));
        await().atMost(Duration.ofSeconds(5)).until(() -> reconciler.garpsSentPerInterface().getOrDefault(topo.nodeIf, 0L) >= 2);
        HostCommand.ok("ip", "-n", topo.node, "link", "set", topo.nodeIf, "down");
        await().atMost(Duration.ofSeconds(5)).until(() -> !topo.nodeDevice().up());
        NodeTopology.Capture cap = topo.capture();
        HostCommand.ok("ip", "-n", topo.node, "link", "set", topo.nodeIf, "up");
        await().atMost(Duration.ofSeconds(5)).until(() -> cap.gratuitousFor(VIP).size() >= 2);
        assertThat(reconciler.garpsSentPerInterface().get(topo.nodeIf)).isGreaterThanOrEqualTo(3L);
    }
}
