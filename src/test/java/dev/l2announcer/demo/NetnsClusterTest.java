package dev.l2announcer.demo;

import dev.l2announcer.datapath.MacAddress;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.net.Inet4Address;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** The harness itself, without the agent: namespaces, per-node views, API reachability, ARP capture. */
@Tag("e2e")
class NetnsClusterTest {
    private static NetnsCluster cluster;

    @BeforeAll
    static void up() {
        assumeTrue(HostCommand.isRoot(), "needs root for network/mount namespaces; skipped");
        cluster = NetnsCluster.create(3, Path.of("target", "e2e-logs", "harness"));
    }

    @AfterAll
    static void down() {
        if (cluster != null) {
            Path work = cluster.workDir();
            String lan = cluster.client().netns().replace("-client", "-lan");
            cluster.close();
            assertThat(Path.of("/run/netns", lan)).doesNotExist();
            assertThat(work).doesNotExist();
        }
    }

    @Test
    void eachNodeSeesItsOwnLinksAndItsOwnBpffs() {
        NetnsCluster.Member n1 = cluster.node("node1");
        NetnsCluster.Member n2 = cluster.node("node2");
        assertThat(cluster.execOnNode(n1, "ls", "/sys/class/net").split("\\s+")).containsExactlyInAnyOrder("eth0", "lo");
        assertThat(cluster.execOnNode(n1, "cat", "/sys/class/net/eth0/address").trim()).isEqualTo("02:00:00:00:00:11");
        assertThat(cluster.execOnNode(n1, "stat", "-f", "-c", "%T", "/sys/fs/bpf").trim()).isEqualTo("bpf_fs");
        cluster.execOnNode(n1, "mkdir", "/sys/fs/bpf/only-on-node1");
        assertThat(n1.bpfDir().resolve("only-on-node1")).isDirectory();
        assertThat(cluster.execOnNode(n2, "ls", "/sys/fs/bpf").trim()).isEmpty();
    }

    @Test
    void mockApiIsReachableFromANodeAndKeepsStatusWrittenThroughStatus() {
        ApiControl api = cluster.startApiServer(Path.of("target", "quarkus-app", "quarkus-run.jar"));
        api.service("""
                apiVersion: v1
                kind: Service
                metadata: {name: web, namespace: default, labels: {app: web}}
                spec: {type: LoadBalancer, ports: [{port: 80, protocol: TCP}]}
                """);
        api.serviceLoadBalancerIp("default", "web", "192.0.2.100");
        String reply = cluster.execOnNode(cluster.node("node1"), "bash", "-c",
                "exec 3<>/dev/tcp/192.0.2.250/6443 && printf 'GET /api/v1/namespaces/default/services/web HTTP/1.0\\r\\n\\r\\n' >&3 && timeout 5 cat <&3");
        assertThat(reply).contains("200").contains("\"ip\":\"192.0.2.100\"");
        assertThat(api.leaseHolder("kube-system", "cilium-l2announce-default-web")).isEqualTo("-");
        String review = cluster.execOnNode(cluster.node("node2"), "curl", "-s", "-X", "POST", "-H",
                "Content-Type: application/json", "--data",
                "{\"apiVersion\":\"authorization.k8s.io/v1\",\"kind\":\"SelfSubjectAccessReview\",\"spec\":{\"resourceAttributes\":{\"verb\":\"get\",\"resource\":\"leases\"}}}",
                "http://192.0.2.250:6443/apis/authorization.k8s.io/v1/selfsubjectaccessreviews");
        assertThat(review.replaceAll("\\s", "")).contains("\"allowed\":true");
    }

    @Test
    void observerTimesAnswersAndSeesGratuitousArpMoveTheNeighbourEntry() throws Exception {
        Inet4Address node2Ip = cluster.node("node2").ip();
        Inet4Address vip = NetnsCluster.ipv4("192.0.2.100");
        MacAddress node1Mac = cluster.node("node1").mac();
        MacAddress node3Mac = cluster.node("node3").mac();
        try (NeighbourObserver obs = observer(cluster);
             NeighbourWatch neigh = new NeighbourWatch(cluster.client().netns())) {
            Instant start = Instant.now();
            obs.startProbing(node2Ip, Duration.ofMillis(20), 10);
            await().atMost(Duration.ofSeconds(5)).until(() -> obs.timeline(node2Ip).answers().size() >= 10);
            NeighbourTimeline t = obs.timeline(node2Ip);
            assertThat(t.probes()).hasSize(10);
            assertThat(t.answers()).allMatch(p -> p.senderMac().equals(cluster.node("node2").mac()));
            assertThat(t.conflicts()).isEmpty();
            assertThat(t.answers().getFirst().at()).isAfterOrEqualTo(start.minusMillis(1));
            // answers went to the prober's made-up MAC: the client kernel learnt nothing from them
            assertThat(neigh.changes()).noneMatch(c -> c.ip().equals(node2Ip));

            cluster.exec(cluster.client(), "ip", "neigh", "replace", vip.getHostAddress(), "lladdr", node1Mac.toString(),
                    "dev", "eth0", "nud", "stale");
            Instant garp = Instant.now();
            cluster.exec(cluster.node("node3"), false, "arping", "-U", "-c", "1", "-w", "0.2", "-i", "eth0", "-S",
                    vip.getHostAddress(), vip.getHostAddress()).length();
            await().atMost(Duration.ofSeconds(5)).until(() -> neigh.firstMoveAfter(garp, vip, node1Mac).isPresent());
            assertThat(neigh.firstMoveAfter(garp, vip, node1Mac).orElseThrow().mac()).contains(node3Mac);
            assertThat(obs.timeline(vip).firstGratuitousAfter(garp, node1Mac).orElseThrow().senderMac()).isEqualTo(node3Mac);
        }
    }

    static NeighbourObserver observer(NetnsCluster cluster) {
        return new NeighbourObserver(cluster.client().netns(), "eth0", NetnsCluster.ipv4(NetnsCluster.PROBER_IP),
                (java.net.Inet6Address) java.net.InetAddress.ofLiteral(NetnsCluster.PROBER_IP6));
    }

    @Test
    void observerTimesNdpAnswersAndSeesAnUnsolicitedAdvertisementMoveTheNeighbourEntry() {
        java.net.Inet6Address node2Ip6 = cluster.node("node2").ip6();
        java.net.Inet6Address vip6 = (java.net.Inet6Address) java.net.InetAddress.ofLiteral("2001:db8::100");
        MacAddress node1Mac = cluster.node("node1").mac();
        MacAddress node3Mac = cluster.node("node3").mac();
        try (NeighbourObserver obs = observer(cluster);
             NeighbourWatch neigh = new NeighbourWatch(cluster.client().netns())) {
            // node2's kernel answers the prober's Neighbor Solicitations for its own address.
            obs.startProbing(node2Ip6, Duration.ofMillis(20), 10);
            await().atMost(Duration.ofSeconds(5)).until(() -> obs.timeline(node2Ip6).answers().size() >= 10);
            NeighbourTimeline t = obs.timeline(node2Ip6);
            assertThat(t.answers()).allMatch(p -> p.senderMac().equals(cluster.node("node2").mac()));
            assertThat(t.conflicts()).isEmpty();
            assertThat(neigh.changes()).as("answers went to the prober: the client kernel learnt nothing")
                    .noneMatch(c -> c.ip().equals(node2Ip6));

            cluster.exec(cluster.client(), "ip", "-6", "neigh", "replace", vip6.getHostAddress(), "lladdr",
                    node1Mac.toString(), "dev", "eth0", "nud", "stale");
            Instant na = Instant.now();
            Netns.call(cluster.node("node3").netns(), () -> {
                try (dev.l2announcer.datapath.linux.NdpAnnouncer a = new dev.l2announcer.datapath.linux.NdpAnnouncer()) {
                    a.announce(new dev.l2announcer.datapath.Device(Libc.ifIndex("eth0"), "eth0", node3Mac, true, false, "up",
                            "veth", 0), vip6);
                }
                return null;
            });
            await().atMost(Duration.ofSeconds(5)).until(() -> neigh.firstMoveAfter(na, vip6, node1Mac).isPresent());
            assertThat(neigh.firstMoveAfter(na, vip6, node1Mac).orElseThrow().mac()).contains(node3Mac);
            assertThat(obs.timeline(vip6).firstGratuitousAfter(na, node1Mac).orElseThrow().senderMac()).isEqualTo(node3Mac);
        }
    }
}
