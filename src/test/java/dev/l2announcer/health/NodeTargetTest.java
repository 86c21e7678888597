package dev.l2announcer.health;

import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class NodeTargetTest {
    static Node node(String name, String... typeAddr) {
        var b = new NodeBuilder().withNewMetadata().withName(name).endMetadata().withNewStatus();
        for (int i = 0; i < typeAddr.length; i += 2) {
            b = b.addNewAddress().withType(typeAddr[i]).withAddress(typeAddr[i + 1]).endAddress();
        }
        return b.endStatus().build();
    }

    @Test
    void takesInternalIpPreferringIpv4AndMarksThisNode() {
        var targets = NodeTarget.fromNodes(List.of(
                node("n2", "Hostname", "n2", "InternalIP", "2001:db8::2", "InternalIP", "192.0.2.2"),
                node("n1", "ExternalIP", "203.0.113.1", "InternalIP", "192.0.2.1"),
                node("n3", "InternalIP", "2001:db8::3"),
                node("n4", "Hostname", "n4"),
                node("n5", "InternalIP", "not-an-ip.example")), "n2");
        assertThat(targets).extracting(t -> t.name() + "=" + t.address().getHostAddress() + (t.local() ? "*" : ""))
                .containsExactly("n1=192.0.2.1", "n2=192.0.2.2*", "n3=2001:db8:0:0:0:0:0:3");
    }
}
