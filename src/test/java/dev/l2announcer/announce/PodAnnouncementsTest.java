package dev.l2announcer.announce;

import dev.l2announcer.datapath.Device;
import dev.l2announcer.datapath.MacAddress;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class PodAnnouncementsTest {
    static Pod pod(String name, String node, boolean hostNetwork, String... ips) {
        PodBuilder b = new PodBuilder().withNewMetadata().withNamespace("default").withName(name).endMetadata()
                .withNewSpec().withNodeName(node).withHostNetwork(hostNetwork).endSpec()
                .withNewStatus().endStatus();
        Pod p = b.build();
        if (ips.length > 0) {
            p.getStatus().setPodIP(ips[0]);
            p.getStatus().setPodIPs(java.util.Arrays.stream(ips).map(io.fabric8.kubernetes.api.model.PodIP::new).toList());
        }
        return p;
    }

    private static List<String> strings(java.util.Set<java.net.Inet4Address> s) {
        return s.stream().map(java.net.InetAddress::getHostAddress).toList();
    }

    @Test
    void firstIpv4IsNew() {
        assertThat(strings(PodAnnouncements.newIpv4s(pod("p", "n1", false), pod("p", "n1", false, "192.0.2.20"))))
                .containsExactly("192.0.2.20");
    }

    @Test
    void unchangedIpIsNotAnnouncedAgainButAnAddedOneIs() {
        Pod before = pod("p", "n1", false, "192.0.2.20");
        assertThat(PodAnnouncements.newIpv4s(before, pod("p", "n1", false, "192.0.2.20"))).isEmpty();
        assertThat(strings(PodAnnouncements.newIpv4s(before, pod("p", "n1", false, "192.0.2.20", "192.0.2.21"))))
                .containsExactly("192.0.2.21");
    }

    @Test
    void ipv6AndHostNetworkAndPendingPodsGiveNothing() {
        assertThat(PodAnnouncements.newIpv4s(null, pod("p", "n1", false, "2001:db8::20"))).isEmpty();
        assertThat(PodAnnouncements.newIpv4s(null, pod("p", "n1", true, "192.0.2.1"))).isEmpty();
        assertThat(PodAnnouncements.newIpv4s(null, pod("p", "n1", false))).isEmpty();
        assertThat(strings(PodAnnouncements.newIpv4s(null, pod("p", "n1", false, "2001:db8::20", "192.0.2.20"))))
                .containsExactly("192.0.2.20");
    }

    @Test
    void interfacesByNameOrUnanchoredPatternAndOnlyUsableOnes() {
        Device eth0 = new Device(2, "eth0", MacAddress.parse("02:00:00:00:00:02"), true, false, "up", "", 0);
        Device eth1 = new Device(3, "eth1", MacAddress.parse("02:00:00:00:00:03"), true, false, "up", "", 0);
        Device down = new Device(4, "eth2", MacAddress.parse("02:00:00:00:00:04"), false, false, "down", "", 0);
        Device lo = new Device(1, "lo", null, true, true, "unknown", "", 0);
        List<Device> all = List.of(lo, eth0, eth1, down);
        assertThat(PodAnnouncements.interfaces(all, "eth1", "")).containsExactly(eth1);
        assertThat(PodAnnouncements.interfaces(all, "", "^eth[0-9]$")).containsExactly(eth0, eth1);
        assertThat(PodAnnouncements.interfaces(all, "", "th")).containsExactly(eth0, eth1);
        assertThat(PodAnnouncements.interfaces(all, "", "lo")).isEmpty();
        assertThat(PodAnnouncements.interfaces(all, "", "")).isEmpty();
    }
}
