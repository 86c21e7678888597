package dev.l2announcer.datapath.linux;

import dev.l2announcer.datapath.AddressFamily;
import dev.l2announcer.datapath.Device;
import dev.l2announcer.datapath.MacAddress;
import dev.l2announcer.datapath.NdpFrame;
import dev.l2announcer.datapath.ResponderEntry;
import dev.l2announcer.demo.HostCommand;
import dev.l2announcer.demo.Netns;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Real kernel, IPv6: the XDP program answers Neighbor Solicitations from a client namespace (RFC 4861), on
 * 2001:db8::/32 only, in namespaces this test creates and deletes; pins in a private dir. Frames are built and
 * checked byte for byte with {@link NdpFrame}; Debian's {@code ndisc6} (installed by .ci/run) is the real client.
 */
class BpfNdpKernelTest {
    static final String NODE = "l2a-ndp-node-" + ProcessHandle.current().pid();
    static final String CLIENT = "l2a-ndp-cli-" + ProcessHandle.current().pid();
    static final String N0 = "l2andn0", C0 = "l2andc0", N1 = "l2andn1", C1 = "l2andc1";
    static final Inet6Address CLIENT_IP = v6("2001:db8::2"), VIP = v6("2001:db8::100"), VIP2 = v6("2001:db8::101");
    /** A multicast target derived from the documentation prefix (RFC 3306 unicast-prefix-based: ff3e:30:2001:db8::/96). */
    static final Inet6Address MULTICAST_TARGET = v6("ff3e:30:2001:db8::100");
    static final Path PIN = Path.of("/sys/fs/bpf/l2a-ndp-test-" + ProcessHandle.current().pid());
    /**
     * A second node for takeovers: node (N2) and nodeB (B0) are ports of the client's bridge br0, one L2 segment with
     * its own prefix 2001:db8:1::/64; nodeB has its own datapath and pins, as each agent has.
     */
    static final String NODE_B = "l2a-ndp-nodeb-" + ProcessHandle.current().pid();
    static final String N2 = "l2andn2", B0 = "l2andb0", CA = "l2andca", CB = "l2andcb", BR = "br0";
    static final Inet6Address BRIDGE_CLIENT_IP = v6("2001:db8:1::2"), VIP3 = v6("2001:db8:1::100");
    static final Path PIN_B = Path.of("/sys/fs/bpf/l2a-ndp-test-b-" + ProcessHandle.current().pid());

    static Netns node, client, nodeB;
    static BpfDatapath dp, dpB;
    static Device n0, n1, c0, n2, b0;

    static Inet6Address v6(String s) {
        return (Inet6Address) InetAddress.ofLiteral(s);
    }

    @BeforeAll
    static void setUp() {
        if (!HostCommand.isRoot()) {
            System.out.println("SKIP BpfNdpKernelTest: needs root (BPF, network namespaces)");
        }
        Assumptions.assumeTrue(HostCommand.isRoot(), "needs root for BPF and network namespaces");
        node = Netns.create(NODE);
        client = Netns.create(CLIENT);
        nodeB = Netns.create(NODE_B);
        for (String ns : List.of(NODE, CLIENT, NODE_B)) {
            HostCommand.ok("ip", "netns", "exec", ns, "sysctl", "-qw", "net.ipv6.conf.all.disable_ipv6=0",
                    "net.ipv6.conf.default.disable_ipv6=0");
        }
        node.ip("link", "set", "lo", "up");
        client.ip("link", "set", "lo", "up");
        node.veth(N0, client, C0);
        node.veth(N1, client, C1);
        HostCommand.ok("ip", "-n", CLIENT, "addr", "add", "2001:db8::2/64", "dev", C0, "nodad");
        nodeB.ip("link", "set", "lo", "up");
        node.veth(N2, client, CA);
        nodeB.veth(B0, client, CB);
        client.ip("link", "add", BR, "type", "bridge", "stp_state", "0", "forward_delay", "0", "mcast_snooping", "0");
        client.ip("link", "set", CA, "master", BR);
        client.ip("link", "set", CB, "master", BR);
        client.ip("link", "set", BR, "up");
        HostCommand.ok("ip", "-n", CLIENT, "addr", "add", "2001:db8:1::2/64", "dev", BR, "nodad");
        n0 = BpfDatapathKernelTest.device(node, N0);
        n1 = BpfDatapathKernelTest.device(node, N1);
        n2 = BpfDatapathKernelTest.device(node, N2);
        c0 = BpfDatapathKernelTest.device(client, C0);
        b0 = BpfDatapathKernelTest.device(nodeB, B0);
        dp = node.run(() -> BpfDatapath.open(PIN, Duration.ofSeconds(15)));
        node.exec(() -> {
            dp.attach(n0);
            dp.attach(n1);
            dp.attach(n2);
            dp.refreshLiveness();
        });
        dpB = nodeB.run(() -> BpfDatapath.open(PIN_B, Duration.ofSeconds(15)));
        nodeB.exec(() -> {
            dpB.attach(b0);
            dpB.refreshLiveness();
        });
    }

    @AfterEach
    void clearEntries() {
        if (dp != null) {
            node.exec(() -> {
                dp.responderMap().sync(Set.of());
                dp.refreshLiveness();
            });
        }
        if (dpB != null) {
            nodeB.exec(() -> {
                dpB.responderMap().sync(Set.of());
                dpB.refreshLiveness();
            });
        }
    }

    @AfterAll
    static void tearDown() {
        try {
            if (dp != null) {
                dp.destroyPins();
                dp.close();
            }
            if (dpB != null) {
                dpB.destroyPins();
                dpB.close();
            }
        } finally {
            for (Netns ns : new Netns[] {node, client, nodeB}) {
                if (ns != null) {
                    ns.close();
                }
            }
            BpfDatapathKernelTest.removeDir(PIN);
            BpfDatapathKernelTest.removeDir(PIN_B);
        }
    }

    static void install(Inet6Address ip, int ifindex) {
        node.exec(() -> dp.responderMap().put(new ResponderEntry(ip, ifindex)));
    }

    static long responsesSent(Inet6Address ip, int ifindex) {
        return node.run(() -> dp.responderMap().list().getOrDefault(new ResponderEntry(ip, ifindex), -1L));
    }

    /** A received advertisement with the raw frame, for checksum checks. */
    record Answer(NdpFrame na, boolean checksumValid, int length) {}

    /** Sends {@code frame} from the client's c0 and collects every advertisement for {@code target} within 300 ms. */
    static List<Answer> ask(byte[] frame, Inet6Address target) {
        return client.run(() -> {
            List<Answer> out = new ArrayList<>();
            try (NdpSocket s = new NdpSocket(c0.ifindex())) {
                s.send(frame);
                long deadline = System.nanoTime() + Duration.ofMillis(300).toNanos();
                for (long left = deadline - System.nanoTime(); left > 0; left = deadline - System.nanoTime()) {
                    var r = s.receive(Duration.ofNanos(left));
                    if (r.isEmpty()) {
                        break;
                    }
                    var rx = r.get();
                    rx.ndp().filter(f -> rx.packetType() != PacketSocket.PACKET_OUTGOING && f.isAdvertisement()
                                    && f.target().equals(target))
                            .ifPresent(f -> out.add(new Answer(f, NdpFrame.checksumValid(rx.frame(), rx.length()), rx.length())));
                }
            }
            return out;
        });
    }

    static NdpFrame solicitation(Inet6Address target) {
        return NdpFrame.solicitation(c0.mac(), CLIENT_IP, target);
    }

    @Test
    void aSolicitationIsAnsweredWithASolicitedOverridingAdvertisementFromTheInterfaceMac() {
        install(VIP, n0.ifindex());
        List<Answer> answers = ask(solicitation(VIP).encode(), VIP);
        assertThat(answers).singleElement().satisfies(a -> {
            NdpFrame na = a.na();
            assertThat(a.checksumValid()).as("ICMPv6 checksum").isTrue();
            assertThat(a.length()).isEqualTo(14 + 40 + 32);
            assertThat(na.solicited()).as("S").isTrue();
            assertThat(na.override()).as("O").isTrue();
            assertThat(na.router()).as("R").isFalse();
            assertThat(na.hopLimit()).isEqualTo(255);
            assertThat(na.linkLayerAddress()).as("target link-layer address option").isEqualTo(n0.mac());
            assertThat(na.ethSrc()).isEqualTo(n0.mac());
            assertThat(na.ethDst()).as("to the solicitation's source link-layer address").isEqualTo(c0.mac());
            assertThat(na.src()).isEqualTo(VIP);
            assertThat(na.dst()).isEqualTo(CLIENT_IP);
        });
        assertThat(responsesSent(VIP, n0.ifindex())).isEqualTo(1L);
    }

    @Test
    void ndisc6ResolvesTheVipToTheInterfaceMac() {
        // Root tests run for real (CI is root): a missing client is a failure, not a skip.
        assertThat(HostCommand.result("sh", "-c", "command -v ndisc6").exit())
                .as("ndisc6 (Debian package ndisc6) must be installed: .ci/run installs it").isZero();
        install(VIP, n0.ifindex());
        HostCommand.Result r = HostCommand.result("ip", "netns", "exec", CLIENT, "ndisc6", "-1", "-n", "-r", "3", "-w", "500",
                VIP.getHostAddress(), C0);
        assertThat(r.exit()).as(r.out()).isZero();
        assertThat(r.out().toLowerCase()).contains("target link-layer address: " + n0.mac());
        assertThat(responsesSent(VIP, n0.ifindex())).isPositive();
    }

    @Test
    void aUnicastSolicitationWithoutOptionsIsAnsweredToItsEthernetSource() {
        install(VIP, n0.ifindex());
        // Neighbour unreachability detection: unicast to the target on our MAC, no source link-layer option.
        NdpFrame nud = new NdpFrame(n0.mac(), c0.mac(), CLIENT_IP, VIP, 255, NdpFrame.TYPE_SOLICITATION, 0, VIP, null);
        assertThat(ask(nud.encode(), VIP)).singleElement().satisfies(a -> {
            assertThat(a.checksumValid()).isTrue();
            assertThat(a.na().solicited()).isTrue();
            assertThat(a.na().ethDst()).isEqualTo(c0.mac());
            assertThat(a.na().linkLayerAddress()).isEqualTo(n0.mac());
        });
    }

    @Test
    void aDadProbeForTheVipIsAnsweredToAllNodesWithoutTheSolicitedFlag() {
        install(VIP, n0.ifindex());
        byte[] nonce = {14, 1, 1, 2, 3, 4, 5, 6}; // RFC 7527 nonce option, as Linux' DAD probes carry
        List<Answer> answers = ask(NdpFrame.solicitation(c0.mac(), NdpFrame.UNSPECIFIED, VIP).encode(nonce), VIP);
        assertThat(answers).singleElement().satisfies(a -> {
            assertThat(a.checksumValid()).isTrue();
            assertThat(a.na().dst()).isEqualTo(NdpFrame.ALL_NODES);
            assertThat(a.na().ethDst()).isEqualTo(MacAddress.parse("33:33:00:00:00:01"));
            assertThat(a.na().solicited()).as("S=0 for an unspecified source (RFC 4861 7.2.4)").isFalse();
            assertThat(a.na().override()).isTrue();
            assertThat(a.na().linkLayerAddress()).isEqualTo(n0.mac());
        });
    }

    /** Each frame is a variation of a valid solicitation for VIP that RFC 4861 7.1.1 (or our rules) says to drop. */
    @Test
    void invalidSolicitationsAreNotAnswered() {
        install(VIP, n0.ifindex());
        install(MULTICAST_TARGET, n0.ifindex());
        install(VIP2, n1.ifindex()); // other ifindex
        byte[] valid = solicitation(VIP).encode();
        assertThat(ask(valid, VIP)).as("the valid one").hasSize(1);

        byte[] hop64 = solicitation(VIP).encode();
        hop64[14 + 7] = 64;
        fixChecksum(hop64);
        assertThat(ask(hop64, VIP)).as("hop limit 64").isEmpty();

        byte[] badChecksum = solicitation(VIP).encode();
        badChecksum[14 + 40 + 3] ^= 0x01;
        assertThat(ask(badChecksum, VIP)).as("bad checksum").isEmpty();

        byte[] code1 = solicitation(VIP).encode();
        code1[14 + 40 + 1] = 1;
        fixChecksum(code1);
        assertThat(ask(code1, VIP)).as("ICMPv6 code 1").isEmpty();

        assertThat(ask(solicitation(MULTICAST_TARGET).encode(), MULTICAST_TARGET)).as("multicast target").isEmpty();
        assertThat(ask(solicitation(v6("2001:db8::200")).encode(), v6("2001:db8::200"))).as("unknown target").isEmpty();
        assertThat(ask(solicitation(VIP2).encode(), VIP2)).as("target in the map for another ifindex").isEmpty();

        byte[] zeroLengthOption = solicitation(VIP).encode();
        zeroLengthOption[14 + 40 + 24 + 1] = 0;
        fixChecksum(zeroLengthOption);
        assertThat(ask(zeroLengthOption, VIP)).as("option of length 0").isEmpty();

        NdpFrame dadWithSlla = new NdpFrame(NdpFrame.multicastMac(NdpFrame.solicitedNode(VIP)), c0.mac(), NdpFrame.UNSPECIFIED,
                NdpFrame.solicitedNode(VIP), 255, NdpFrame.TYPE_SOLICITATION, 0, VIP, c0.mac());
        assertThat(ask(dadWithSlla.encode(), VIP)).as("from :: with a source link-layer address option").isEmpty();

        NdpFrame dadUnicast = new NdpFrame(n0.mac(), c0.mac(), NdpFrame.UNSPECIFIED, VIP, 255, NdpFrame.TYPE_SOLICITATION, 0,
                VIP, null);
        assertThat(ask(dadUnicast.encode(new byte[] {14, 1, 9, 9, 9, 9, 9, 9}), VIP)).as("from :: to a unicast address").isEmpty();

        NdpFrame toOtherMac = new NdpFrame(new MacAddress(0x0200_00c0_ffeeL), c0.mac(), CLIENT_IP, VIP, 255,
                NdpFrame.TYPE_SOLICITATION, 0, VIP, c0.mac());
        assertThat(ask(toOtherMac.encode(), VIP)).as("unicast to another host's MAC").isEmpty();

        NdpFrame otherGroup = new NdpFrame(NdpFrame.multicastMac(NdpFrame.solicitedNode(VIP2)), c0.mac(), CLIENT_IP,
                NdpFrame.solicitedNode(VIP2), 255, NdpFrame.TYPE_SOLICITATION, 0, VIP, c0.mac());
        assertThat(ask(otherGroup.encode(), VIP)).as("to a solicited-node group that is not the target's").isEmpty();

        NdpFrame multicastSlla = new NdpFrame(NdpFrame.multicastMac(NdpFrame.solicitedNode(VIP)), c0.mac(), CLIENT_IP,
                NdpFrame.solicitedNode(VIP), 255, NdpFrame.TYPE_SOLICITATION, 0, VIP, new MacAddress(0x3333_0000_0001L));
        assertThat(ask(multicastSlla.encode(), VIP)).as("multicast source link-layer address").isEmpty();

        assertThat(responsesSent(VIP, n0.ifindex())).as("only the valid one was answered").isEqualTo(1L);
        assertThat(responsesSent(MULTICAST_TARGET, n0.ifindex())).isZero();
    }

    /** Recomputes the ICMPv6 checksum after a test changed a byte it covers (the hop limit is not covered). */
    static void fixChecksum(byte[] frame) {
        int sum = NdpFrame.checksum(frame, frame.length);
        frame[14 + 40 + 2] = (byte) (sum >>> 8);
        frame[14 + 40 + 3] = (byte) sum;
    }

    @Test
    void staleLivenessSilencesNdpToo() {
        install(VIP, n0.ifindex());
        long maxAge = Duration.ofSeconds(15).toNanos();
        node.exec(() -> dp.writeLiveness(Libc.monotonicNanos() - 2 * maxAge, maxAge));
        assertThat(ask(solicitation(VIP).encode(), VIP)).as("stale liveness").isEmpty();
        node.exec(() -> dp.refreshLiveness());
        assertThat(ask(solicitation(VIP).encode(), VIP)).as("refreshed").hasSize(1);
    }

    @Test
    void bothMapsAreFilledWithinTheirOwnCapacity() {
        Set<ResponderEntry> desired = new HashSet<>();
        for (int i = 0; i < 4100; i++) {
            desired.add(new ResponderEntry(v6("2001:db8::1:" + Integer.toHexString(i)), 100));
        }
        desired.add(new ResponderEntry(NetnsV4.VIP4, 100));
        var result = node.run(() -> dp.responderMap().sync(desired));
        assertThat(dp.responderMap().capacity(AddressFamily.IPV6)).as("max_entries of l2_responder_v6").isEqualTo(4096);
        assertThat(result.rejected()).hasSize(4100 - 4096).allSatisfy(e -> assertThat(e.family()).isEqualTo(AddressFamily.IPV6));
        assertThat(node.run(() -> dp.responderMap().list().keySet())).contains(new ResponderEntry(NetnsV4.VIP4, 100))
                .hasSize(4096 + 1);
    }

    /** The client kernel's neighbour entry for {@code ip} on {@code dev}, as {@code ip -6 neigh} prints it. */
    static String neigh(Inet6Address ip, String dev) {
        return HostCommand.ok("ip", "-n", CLIENT, "-6", "neigh", "show", ip.getHostAddress(), "dev", dev).toLowerCase();
    }

    /**
     * A takeover as the agents do it, on one L2 segment: node answers VIP3, the client's kernel resolves it (entry
     * REACHABLE with node's MAC); node withdraws, nodeB installs VIP3 and sends its unsolicited NA: the client's
     * entry moves to nodeB's MAC at once, although it was REACHABLE, because the NA carries O=1. The same NA
     * without O (as Cilium sends its advertisements) leaves a REACHABLE entry on the old MAC (RFC 4861 7.2.5).
     */
    @Test
    void onTakeoverTheUnsolicitedAdvertisementMovesTheClientsReachableEntryOnlyBecauseOfTheOverrideFlag() {
        node.exec(() -> dp.responderMap().put(new ResponderEntry(VIP3, n2.ifindex())));
        HostCommand.result("ip", "-n", CLIENT, "-6", "neigh", "flush", "dev", BR);
        HostCommand.ok("ip", "netns", "exec", CLIENT, "bash", "-c", "echo l2a > /dev/udp/" + VIP3.getHostAddress() + "/9");
        await().atMost(Duration.ofSeconds(3)).untilAsserted(() ->
                assertThat(neigh(VIP3, BR)).contains(n2.mac().toString()).contains("reachable"));

        // Without the Override flag: the REACHABLE entry keeps node's MAC (only turns STALE).
        NdpFrame noOverride = new NdpFrame(NdpFrame.multicastMac(NdpFrame.ALL_NODES), b0.mac(), VIP3, NdpFrame.ALL_NODES,
                255, NdpFrame.TYPE_ADVERTISEMENT, 0, VIP3, b0.mac());
        nodeB.exec(() -> {
            try (PacketSocket s = PacketSocket.open(NdpFrame.ETH_P_IPV6, b0.ifindex())) {
                s.send(noOverride.encode());
            }
        });
        java.util.concurrent.locks.LockSupport.parkNanos(Duration.ofMillis(300).toNanos());
        assertThat(neigh(VIP3, BR)).as("an NA with O=0 does not replace a reachable entry").contains(n2.mac().toString());

        // The takeover: node withdraws, nodeB installs and announces (what its reconciler does for a new entry).
        node.exec(() -> dp.responderMap().sync(Set.of()));
        nodeB.exec(() -> {
            dpB.responderMap().put(new ResponderEntry(VIP3, b0.ifindex()));
            try (NdpAnnouncer a = new NdpAnnouncer()) {
                a.announce(b0, VIP3);
            }
        });
        await().atMost(Duration.ofSeconds(2)).untilAsserted(() -> assertThat(neigh(VIP3, BR)).contains(b0.mac().toString()));

        // And the next solicitation is answered by nodeB alone.
        List<NdpFrame> answers = client.run(() -> {
            Device br = new NetlinkDevices().list().stream().filter(d -> d.name().equals(BR)).findFirst().orElseThrow();
            List<NdpFrame> out = new ArrayList<>();
            try (NdpSocket s = new NdpSocket(br.ifindex())) {
                s.send(NdpFrame.solicitation(br.mac(), BRIDGE_CLIENT_IP, VIP3));
                long deadline = System.nanoTime() + Duration.ofMillis(300).toNanos();
                for (long left = deadline - System.nanoTime(); left > 0; left = deadline - System.nanoTime()) {
                    var r = s.receive(Duration.ofNanos(left));
                    if (r.isEmpty()) {
                        break;
                    }
                    r.get().ndp().filter(f -> r.get().packetType() != PacketSocket.PACKET_OUTGOING && f.isAdvertisement()
                            && f.target().equals(VIP3) && f.solicited()).ifPresent(out::add);
                }
            }
            return out;
        });
        assertThat(answers).extracting(NdpFrame::linkLayerAddress).containsExactly(b0.mac());
    }

    @Test
    void reopeningAdoptsTheIpv6MapWithItsEntriesAndCounters() {
        install(VIP, n0.ifindex());
        assertThat(ask(solicitation(VIP).encode(), VIP)).hasSize(1);
        BpfDatapath second = node.run(() -> BpfDatapath.open(PIN, Duration.ofSeconds(15)));
        try {
            assertThat(second.responderMap().list()).containsEntry(new ResponderEntry(VIP, n0.ifindex()), 1L);
            assertThat(ask(solicitation(VIP).encode(), VIP)).as("answered by the adopted program").hasSize(1);
            assertThat(second.responderMap().list()).containsEntry(new ResponderEntry(VIP, n0.ifindex()), 2L);
        } finally {
            second.close();
        }
    }

    @Test
    void anUnsolicitedAdvertisementMovesTheClientsNeighbourEntry() {
        MacAddress oldMac = new MacAddress(0x0200_00c0_ffeeL);
        HostCommand.result("ip", "-n", CLIENT, "-6", "neigh", "del", VIP.getHostAddress(), "dev", C0);
        HostCommand.ok("ip", "-n", CLIENT, "-6", "neigh", "replace", VIP.getHostAddress(), "lladdr", oldMac.toString(), "dev", C0,
                "nud", "stale");
        node.exec(() -> {
            try (NdpAnnouncer a = new NdpAnnouncer()) {
                a.announce(n0, VIP);
            }
        });
        await().atMost(Duration.ofSeconds(3)).untilAsserted(() ->
                assertThat(HostCommand.ok("ip", "-n", CLIENT, "-6", "neigh", "show", VIP.getHostAddress(), "dev", C0).toLowerCase())
                        .contains(n0.mac().toString()));
    }

    @Test
    void listeningJoinsTheSolicitedNodeGroupWithAnMldReportAndLeavesIt() {
        Inet6Address group = NdpFrame.solicitedNode(VIP);
        try (NdpAnnouncer a = node.run(NdpAnnouncer::new)) {
            List<byte[]> mld = client.run(() -> {
                try (PacketSocket s = PacketSocket.open(NdpFrame.ETH_P_IPV6, c0.ifindex())) {
                    node.exec(() -> a.listen(Set.of(new ResponderEntry(VIP, n0.ifindex()))));
                    return mldReports(s, group, Duration.ofSeconds(2));
                }
            });
            assertThat(mld).as("MLDv2 report naming " + group + " reached the link").isNotEmpty();
            assertThat(a.joinedGroups()).containsExactly(n0.ifindex() + "/ff02::1:ff00:100");
            assertThat(HostCommand.ok("ip", "-n", NODE, "maddr", "show", "dev", N0)).as("the group and its MAC in the NIC filter")
                    .contains("inet6 ff02::1:ff00:100").contains("link  33:33:ff:00:01:00");
            node.exec(() -> a.listen(Set.of()));
            assertThat(a.joinedGroups()).isEmpty();
            assertThat(HostCommand.ok("ip", "-n", NODE, "maddr", "show", "dev", N0)).doesNotContain("ff02::1:ff00:100")
                    .doesNotContain("33:33:ff:00:01:00");
        }
    }

    /** MLDv2 reports (ICMPv6 143 after a hop-by-hop header) whose records name {@code group}, seen within {@code within}. */
    static List<byte[]> mldReports(PacketSocket s, Inet6Address group, Duration within) {
        List<byte[]> out = new ArrayList<>();
        byte[] g = group.getAddress();
        long deadline = System.nanoTime() + within.toNanos();
        for (long left = within.toNanos(); left > 0 && out.isEmpty(); left = deadline - System.nanoTime()) {
            var r = s.receive(Duration.ofNanos(left));
            if (r.isEmpty()) {
                break;
            }
            byte[] f = r.get().frame();
            int len = r.get().length();
            // IPv6 next header 0 (hop-by-hop, 8 bytes with the router alert), then ICMPv6 type 143 at 14 + 40 + 8.
            if (len > 14 + 48 + 8 && (f[14 + 6] & 0xff) == 0 && (f[14 + 48] & 0xff) == 143) {
                for (int i = 14 + 48 + 8; i + 16 <= len; i++) {
                    if (java.util.Arrays.equals(f, i, i + 16, g, 0, 16)) {
                        out.add(java.util.Arrays.copyOf(f, len));
                        break;
                    }
                }
            }
        }
        return out;
    }

    /** An IPv4 key, to show the two maps side by side. */
    static final class NetnsV4 {
        static final InetAddress VIP4 = InetAddress.ofLiteral("192.0.2.100");
    }
}
