package dev.l2announcer.datapath.linux;

import dev.l2announcer.demo.HostCommand;
import dev.l2announcer.demo.Netns;
import dev.l2announcer.datapath.ArpFrame;
import dev.l2announcer.datapath.Device;
import dev.l2announcer.datapath.Finding;
import dev.l2announcer.datapath.MacAddress;
import dev.l2announcer.datapath.ResponderEntry;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Real kernel: a "node" namespace running the responder on a veth, a "client" namespace asking
 * over ARP. Everything lives in namespaces this test creates and deletes; pins in a private dir.
 */
class BpfDatapathKernelTest {
    static final String NODE = "l2a-dp-node-" + ProcessHandle.current().pid();
    static final String CLIENT = "l2a-dp-cli-" + ProcessHandle.current().pid();
    static final String N0 = "l2adpn0", C0 = "l2adpc0", N1 = "l2adpn1", C1 = "l2adpc1";
    static final Inet4Address CLIENT_IP = ip("192.0.2.2"), VIP = ip("192.0.2.100"), VIP2 = ip("192.0.2.101");
    static final Path PIN = Path.of("/sys/fs/bpf/l2a-dp-test-" + ProcessHandle.current().pid());
    static final Path PIN_OLD = Path.of("/sys/fs/bpf/l2a-dp-test-old-" + ProcessHandle.current().pid());

    static Netns node, client;
    static BpfDatapath dp;
    static Device n0, c0;

    static Inet4Address ip(String s) {
        try {
            return (Inet4Address) InetAddress.getByName(s);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    @BeforeAll
    static void setUp() {
        if (!HostCommand.isRoot()) {
            System.out.println("SKIP BpfDatapathKernelTest: needs root (BPF, network namespaces)");
        }
        Assumptions.assumeTrue(HostCommand.isRoot(), "needs root for BPF and network namespaces");
        node = Netns.create(NODE);
        client = Netns.create(CLIENT);
        node.ip("link", "set", "lo", "up");
        client.ip("link", "set", "lo", "up");
        node.veth(N0, client, C0);
        node.veth(N1, client, C1);
        HostCommand.ok("ip", "-n", CLIENT, "addr", "add", "192.0.2.2/24", "dev", C0);
        n0 = device(node, N0);
        c0 = device(client, C0);
        dp = node.run(() -> BpfDatapath.open(PIN, Duration.ofSeconds(15)));
        node.exec(() -> {
            dp.attach(n0);
            dp.refreshLiveness();
        });
    }

    static Device device(Netns ns, String name) {
        return ns.run(() -> new NetlinkDevices().list().stream().filter(d -> d.name().equals(name)).findFirst().orElseThrow());
    }

    @AfterEach
    void clearEntries() {
        if (dp != null) {
            node.exec(() -> {
                dp.responderMap().sync(Set.of());
                dp.refreshLiveness();
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
        } finally {
            if (node != null) {
                node.close();
            }
            if (client != null) {
                client.close();
            }
            removeDir(PIN);
            removeDir(PIN_OLD);
        }
    }

    static void removeDir(Path dir) {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> s = Files.walk(dir)) {
            s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            System.out.println("could not remove " + dir + ": " + e);
        }
    }

    static Optional<ArpFrame> ask(Inet4Address target) {
        return client.run(() -> {
            try (ArpSocket s = new ArpSocket(c0.ifindex())) {
                return s.resolve(c0.mac(), CLIENT_IP, target, Duration.ofMillis(500));
            }
        });
    }

    /**
     * The kernel map is the one that decides what "full" is: a desired set larger than its max_entries keeps every
     * deletion and fills it in order, the rest rejected; nothing throws (before: the sync threw, so nothing was
     * added or removed from then on). Keys only: no packet is sent for them.
     */
    @Test
    void syncOfMoreEntriesThanTheMapHoldsDeletesAndFillsItInOrder() throws Exception {
        Set<ResponderEntry> stale = Set.of(new ResponderEntry((Inet4Address) InetAddress.getByName("192.0.2.250"), 99));
        java.util.Set<ResponderEntry> desired = new java.util.HashSet<>();
        for (String net : List.of("192.0.2.", "198.51.100.", "203.0.113.")) {
            for (int i = 1; i <= 254; i++) {
                for (int ifindex = 100; ifindex < 106; ifindex++) { // 762 IPs on 6 interfaces: 4,572 entries
                    desired.add(new ResponderEntry((Inet4Address) InetAddress.getByName(net + i), ifindex));
                }
            }
        }
        var result = node.run(() -> {
            dp.responderMap().sync(stale);
            return dp.responderMap().sync(desired);
        });
        int capacity = dp.responderMap().capacity(dev.l2announcer.datapath.AddressFamily.IPV4);
        assertThat(capacity).as("max_entries of l2_responder_v4 as loaded").isEqualTo(4096);
        assertThat(result.removed()).containsExactlyElementsOf(stale);
        assertThat(result.added()).hasSize(capacity);
        assertThat(result.rejected()).hasSize(desired.size() - capacity);
        var inMap = node.run(() -> dp.responderMap().list().keySet());
        assertThat(inMap).hasSize(capacity).containsExactlyInAnyOrderElementsOf(result.added());
        // In order: every rejected entry sorts after every installed one.
        var order = java.util.Comparator.comparing(ResponderEntry::ip, dev.l2announcer.datapath.Addresses.ORDER)
                .thenComparingInt(ResponderEntry::ifindex);
        ResponderEntry lastIn = inMap.stream().max(order).orElseThrow();
        assertThat(result.rejected()).allSatisfy(e -> assertThat(order.compare(e, lastIn)).isPositive());
    }

    @Test
    void answersArpingWithTheInterfaceMacAndCountsResponses() {
        node.exec(() -> dp.responderMap().put(new ResponderEntry(VIP, n0.ifindex())));
        HostCommand.Result r = HostCommand.result("ip", "netns", "exec", CLIENT, "arping", "-c", "1", "-w", "1", "-i", C0, "-S", "192.0.2.2",
                "192.0.2.100");
        assertThat(r.exit()).as(r.out()).isZero();
        assertThat(r.out().toLowerCase()).contains(n0.mac().toString());
        assertThat(dp.responderMap().list()).containsEntry(new ResponderEntry(VIP, n0.ifindex()), 1L);
    }

    @Test
    void answersOnlyKeysInTheMapAndStopsAfterDelete() {
        ResponderEntry e = new ResponderEntry(VIP, n0.ifindex());
        assertThat(ask(VIP)).isEmpty();
        node.exec(() -> dp.responderMap().put(e));
        Optional<ArpFrame> reply = ask(VIP);
        assertThat(reply).isPresent();
        assertThat(reply.get().senderMac()).isEqualTo(n0.mac());
        assertThat(reply.get().ethSrc()).isEqualTo(n0.mac());
        assertThat(reply.get().targetMac()).isEqualTo(c0.mac());
        assertThat(reply.get().targetIp()).isEqualTo(CLIENT_IP);
        assertThat(ask(VIP2)).as("other IP not in map").isEmpty();
        node.exec(() -> dp.responderMap().delete(e));
        assertThat(ask(VIP)).as("deleted entry").isEmpty();
    }

    /** Sends {@code request} from the client and waits (bounded) for a reply from {@code target}. */
    static Optional<ArpFrame> askWith(ArpFrame request) {
        return client.run(() -> {
            try (ArpSocket s = new ArpSocket(c0.ifindex())) {
                s.send(request);
                long deadline = System.nanoTime() + Duration.ofMillis(500).toNanos();
                for (long left = deadline - System.nanoTime(); left > 0; left = deadline - System.nanoTime()) {
                    Optional<ArpSocket.Received> r = s.receive(Duration.ofNanos(left));
                    if (r.isEmpty()) {
                        return Optional.<ArpFrame>empty();
                    }
                    Optional<ArpFrame> f = r.get().arp();
                    if (r.get().packetType() != ArpSocket.PACKET_OUTGOING && f.isPresent()
                            && f.get().op() == ArpFrame.OP_REPLY && f.get().senderIp().equals(request.targetIp())) {
                        return f;
                    }
                }
                return Optional.<ArpFrame>empty();
            }
        });
    }

    @Test
    void answersOnlyRequestsToBroadcastOrTheInterfaceMacLikeCiliumArpCheck() {
        node.exec(() -> dp.responderMap().put(new ResponderEntry(VIP, n0.ifindex())));
        MacAddress otherHost = new MacAddress(0x0200_00c0_ffeeL);
        ArpFrame broadcast = ArpFrame.request(c0.mac(), CLIENT_IP, VIP);
        ArpFrame toOtherHost = new ArpFrame(otherHost, c0.mac(), ArpFrame.OP_REQUEST, c0.mac(), CLIENT_IP, ArpFrame.ZERO, VIP);
        ArpFrame toUs = new ArpFrame(n0.mac(), c0.mac(), ArpFrame.OP_REQUEST, c0.mac(), CLIENT_IP, ArpFrame.ZERO, VIP);

        assertThat(askWith(toOtherHost)).as("unicast request for another MAC").isEmpty();
        assertThat(askWith(broadcast)).as("broadcast request").isPresent();
        assertThat(askWith(toUs)).as("unicast request to the interface's MAC").isPresent();
        assertThat(dp.responderMap().list()).containsEntry(new ResponderEntry(VIP, n0.ifindex()), 2L);
    }

    @Test
    void ignoresRequestsWithAMulticastSenderHardwareAddress() {
        node.exec(() -> dp.responderMap().put(new ResponderEntry(VIP, n0.ifindex())));
        MacAddress multicast = new MacAddress(0x0100_5e00_0001L);
        ArpFrame bogus = new ArpFrame(ArpFrame.BROADCAST, c0.mac(), ArpFrame.OP_REQUEST, multicast, CLIENT_IP, ArpFrame.ZERO, VIP);

        assertThat(askWith(bogus)).isEmpty();
        assertThat(dp.responderMap().list()).containsEntry(new ResponderEntry(VIP, n0.ifindex()), 0L);
    }

    @Test
    void closingTwiceIsANoOp() {
        Path pin = Path.of("/sys/fs/bpf/l2a-fx-close-" + ProcessHandle.current().pid());
        try {
            BpfDatapath second = node.run(() -> BpfDatapath.open(pin, Duration.ofSeconds(15)));
            second.destroyPins();
            second.close();
            second.close(); // a second bpf_object__close would be a double free
            // The shared datapath still works: its fds were not closed by the second close.
            node.exec(() -> dp.responderMap().put(new ResponderEntry(VIP, n0.ifindex())));
            assertThat(ask(VIP)).isPresent();
        } finally {
            removeDir(pin);
        }
    }

    static boolean macEntryExists(int ifindex) {
        SyscallBpf bpf = new SyscallBpf();
        int fd = bpf.objGet(PIN.resolve(BpfLoader.MAC_MAP).toString());
        try {
            return bpf.lookup(fd, dev.l2announcer.datapath.ResponderKeys.encodeIfindex(ifindex), new byte[8]);
        } finally {
            bpf.close(fd);
        }
    }

    @Test
    void entryForAnotherIfindexIsNotAnswered() {
        node.exec(() -> dp.responderMap().put(new ResponderEntry(VIP, n0.ifindex() + 1000)));
        assertThat(ask(VIP)).isEmpty();
    }

    @Test
    void staleLivenessStopsAnswersAndRefreshResumesThem() {
        node.exec(() -> dp.responderMap().put(new ResponderEntry(VIP, n0.ifindex())));
        long maxAge = Duration.ofSeconds(15).toNanos();
        node.exec(() -> dp.writeLiveness(Libc.monotonicNanos() - 2 * maxAge, maxAge));
        assertThat(ask(VIP)).as("stale liveness").isEmpty();
        node.exec(() -> dp.stopAnswering());
        assertThat(ask(VIP)).as("cleared liveness").isEmpty();
        node.exec(() -> dp.refreshLiveness());
        assertThat(ask(VIP)).as("refreshed").isPresent();
    }

    @Test
    void gratuitousArpUpdatesTheClientNeighbourTable() {
        HostCommand.ok("ip", "netns", "exec", CLIENT, "sysctl", "-qw", "net.ipv4.conf." + C0 + ".arp_accept=1");
        HostCommand.result("ip", "-n", CLIENT, "neigh", "del", "192.0.2.101", "dev", C0);
        node.exec(() -> {
            try (PacketSocketGratuitousArp g = new PacketSocketGratuitousArp()) {
                g.announce(n0, VIP2);
            }
        });
        await().atMost(Duration.ofSeconds(3)).untilAsserted(() ->
                assertThat(HostCommand.ok("ip", "-n", CLIENT, "neigh", "show", "192.0.2.101", "dev", C0).toLowerCase())
                        .contains(n0.mac().toString()));
    }

    @Test
    void gratuitousArpSendsRequestAndReplyForms() {
        List<ArpFrame> seen = client.run(() -> {
            try (ArpSocket s = new ArpSocket(c0.ifindex())) {
                node.run(() -> {
                    try (PacketSocketGratuitousArp g = new PacketSocketGratuitousArp()) {
                        g.announce(n0, VIP2);
                    }
                    return null;
                });
                List<ArpFrame> frames = new java.util.ArrayList<>();
                for (int i = 0; i < 10 && frames.size() < 2; i++) {
                    s.receive(Duration.ofMillis(500)).flatMap(ArpSocket.Received::arp)
                            .filter(f -> f.senderIp().equals(VIP2)).ifPresent(frames::add);
                }
                return frames;
            }
        });
        assertThat(seen).containsExactly(ArpFrame.gratuitousRequest(n0.mac(), VIP2), ArpFrame.gratuitousReply(n0.mac(), VIP2));
    }

    @Test
    void doctorFindsAPlantedDuplicateMap() {
        Bpf bpf = new SyscallBpf();
        int fd = bpf.mapCreate(Bpf.MAP_TYPE_HASH, 8, 8, 16, BpfLoader.RESPONDER_MAP);
        try {
            int planted = bpf.mapInfo(fd).id();
            List<Finding> findings = node.run(() -> new Doctor(bpf, PIN, new NetlinkDevices()).examine(Set.of(N0)));
            assertThat(findings).filteredOn(f -> f.code().equals("DUPLICATE_MAP")).singleElement().satisfies(f -> {
                assertThat(f.severity()).as("no program uses the planted map").isEqualTo(Finding.Severity.WARNING);
                assertThat(f.message()).contains(String.valueOf(planted)).contains(String.valueOf(dp.responderMapId()));
                assertThat(f.confirmCommands()).contains("bpftool map show name l2_responder_v4");
            });
        } finally {
            bpf.close(fd);
        }
    }

    @Test
    void doctorFindsAStaleProgramUsingAnotherMap() {
        Device n1 = device(node, N1);
        BpfDatapath old = node.run(() -> BpfDatapath.open(PIN_OLD, Duration.ofSeconds(15)));
        try {
            node.exec(() -> old.attach(n1));
            List<Finding> findings = node.run(() -> new Doctor(new SyscallBpf(), PIN, new NetlinkDevices()).examine(Set.of(N0, N1)));
            assertThat(findings).filteredOn(f -> f.code().equals("STALE_PROGRAM")).singleElement().satisfies(f -> {
                assertThat(f.message()).contains(N1).contains(String.valueOf(old.programId()));
                assertThat(f.confirmCommands()).contains("bpftool prog show id " + old.programId(), "ip -d link show dev " + N1);
            });
            assertThat(findings).noneMatch(f -> f.message().contains("interface " + N0 + " "));
            // Both responder maps of the old load are duplicates of ours, and its program uses them.
            assertThat(findings).filteredOn(f -> f.code().equals("DUPLICATE_MAP")).hasSize(2).allSatisfy(f -> {
                assertThat(f.severity()).as("old program on a selected interface").isEqualTo(Finding.Severity.ERROR);
                assertThat(f.message()).contains("programs [" + old.programId() + "]");
            }).extracting(Finding::message).anyMatch(m -> m.contains("named l2_responder_v4"))
                    .anyMatch(m -> m.contains("named l2_responder_v6"));
            System.out.println(Doctor.render(findings));
        } finally {
            node.exec(() -> {
                old.destroyPins();
                old.close();
            });
        }
    }

    @Test
    void reopeningAdoptsPinnedLinksAtomicallyAndKeepsEntriesAndCounters() {
        ResponderEntry e = new ResponderEntry(VIP, n0.ifindex());
        node.exec(() -> dp.responderMap().put(e));
        assertThat(ask(VIP)).isPresent();
        int oldProg = dp.programId();
        BpfDatapath second = node.run(() -> BpfDatapath.open(PIN, Duration.ofSeconds(15)));
        try {
            assertThat(second.programId()).isNotEqualTo(oldProg);
            assertThat(second.responderMapId()).isEqualTo(dp.responderMapId());
            assertThat(second.startupFindings()).anyMatch(f -> f.code().equals("PROGRAM_REPLACED") && f.message().contains(N0));
            assertThat(device(node, N0).xdpProgId()).isEqualTo(second.programId());
            assertThat(second.responderMap().list()).containsEntry(e, 1L);
            assertThat(ask(VIP)).isPresent();
            assertThat(second.responderMap().list()).containsEntry(e, 2L);
        } finally {
            second.close();
        }
    }

    @Test
    void doctorReportsAForeignProgramAndAttachRefusesToReplaceIt() throws Exception {
        Path dir = Files.createTempDirectory("l2a-dp-foreign");
        Path src = dir.resolve("pass.bpf.c"), obj = dir.resolve("pass.bpf.o");
        Files.writeString(src, """
                #include <linux/bpf.h>
                #include <bpf/bpf_helpers.h>
                SEC("xdp") int foreign_pass(struct xdp_md *ctx) { return XDP_PASS; }
                char LICENSE[] SEC("license") = "GPL";
                """);
        HostCommand.Result cc = HostCommand.result("clang", "-O2", "-target", "bpf", "-I/usr/include/x86_64-linux-gnu", "-c", src.toString(),
                "-o", obj.toString());
        Assumptions.assumeTrue(cc.exit() == 0, "clang cannot build a BPF object here: " + cc.out());
        HostCommand.ok("ip", "-n", NODE, "link", "set", "dev", N1, "xdpgeneric", "obj", obj.toString(), "sec", "xdp");
        try {
            Device n1 = device(node, N1);
            assertThat(n1.xdpProgId()).isPositive();
            List<Finding> findings = node.run(() -> new Doctor(new SyscallBpf(), PIN, new NetlinkDevices()).examine(Set.of(N0, N1)));
            assertThat(findings).filteredOn(f -> f.code().equals("FOREIGN_PROGRAM")).singleElement().satisfies(f -> {
                assertThat(f.severity()).isEqualTo(Finding.Severity.ERROR);
                assertThat(f.message()).contains(N1).contains("foreign_pass");
                assertThat(f.confirmCommands()).contains("bpftool prog show id " + n1.xdpProgId());
            });
            assertThat(org.assertj.core.api.Assertions.catchThrowable(() -> node.exec(() -> dp.attach(n1))))
                    .isInstanceOf(dev.l2announcer.datapath.DatapathException.class)
                    .satisfies(t -> assertThat(((dev.l2announcer.datapath.DatapathException) t).errnoName()).isIn("EBUSY", "EEXIST"));
            assertThat(device(node, N1).xdpProgId()).as("foreign program left in place").isEqualTo(n1.xdpProgId());
            assertThat(macEntryExists(n1.ifindex())).as("no MAC entry left for an interface we could not attach to").isFalse();
        } finally {
            HostCommand.result("ip", "-n", NODE, "link", "set", "dev", N1, "xdpgeneric", "off");
            removeDir(dir);
        }
    }

    @Test
    void netlinkDevicesReportKindMacStateAndLoopbackInTheNamespace() {
        List<Device> devs = node.run(() -> new NetlinkDevices().list());
        assertThat(devs).extracting(Device::name).contains("lo", N0, N1).hasSize(3);
        Device lo = devs.stream().filter(d -> d.name().equals("lo")).findFirst().orElseThrow();
        assertThat(lo.loopback()).isTrue();
        assertThat(lo.usableForL2()).isFalse();
        Device v = devs.stream().filter(d -> d.name().equals(N0)).findFirst().orElseThrow();
        assertThat(v.kind()).isEqualTo("veth");
        assertThat(v.up()).isTrue();
        assertThat(v.operState()).isEqualTo("up");
        assertThat(v.usableForL2()).isTrue();
        String ipLink = HostCommand.ok("ip", "-n", NODE, "-o", "link", "show", "dev", N0);
        assertThat(ipLink).contains("link/ether " + v.mac()).startsWith(v.ifindex() + ": ");
    }
}
