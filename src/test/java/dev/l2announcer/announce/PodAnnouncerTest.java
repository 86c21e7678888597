package dev.l2announcer.announce;

import dev.l2announcer.datapath.fake.Links;
import dev.l2announcer.datapath.fake.FakeNeighbourAnnouncer;
import dev.l2announcer.testing.MockApi;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodIP;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;

import static dev.l2announcer.announce.PodAnnouncementsTest.pod;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.awaitility.Awaitility.await;

class PodAnnouncerTest {
    private KubernetesMockServer server;
    private KubernetesClient client;
    private final FakeNeighbourAnnouncer garp = new FakeNeighbourAnnouncer();
    private PodAnnouncer announcer;

    @BeforeEach
    void setUp() {
        server = MockApi.start();
        client = server.createClient();
        // The mock server's watches ignore the spec.nodeName field selector (they then deliver nothing),
        // so this test watches all pods and relies on the client-side node check.
        announcer = new PodAnnouncer(client, "n1", Links.loAndEth0(1), garp, "eth0", "", false);
        announcer.start();
        await().atMost(Duration.ofSeconds(5)).until(announcer::synced);
    }

    @AfterEach
    void tearDown() {
        announcer.close();
        client.close();
        server.destroy();
    }

    @Test
    void garpWhenALocalPodGetsItsIpAndNotForOtherNodesPods() {
        Pod p = client.pods().inNamespace("default").resource(pod("web", "n1", false)).create();
        client.pods().inNamespace("default").resource(pod("elsewhere", "n2", false, "192.0.2.99")).create();
        p.getStatus().setPodIP("192.0.2.20");
        p.getStatus().setPodIPs(List.of(new PodIP("192.0.2.20")));
        client.pods().inNamespace("default").resource(p).updateStatus();
        await().atMost(Duration.ofSeconds(5)).until(() -> !garp.sent().isEmpty());
        // A later unrelated update (label) must not re-announce.
        client.pods().inNamespace("default").withName("web").edit(x -> {
            x.getMetadata().setLabels(java.util.Map.of("a", "b"));
            return x;
        });
        Pod marker = client.pods().inNamespace("default").resource(pod("marker", "n1", false, "192.0.2.21")).create();
        await().atMost(Duration.ofSeconds(5)).until(() -> garp.sent().size() == 2);
        assertThat(garp.sent()).extracting(s -> s.interfaceName() + " " + s.ip().getHostAddress())
                .containsExactly("eth0 192.0.2.20", "eth0 192.0.2.21");
        assertThat(marker).isNotNull();
    }

    @Test
    void anInformerEventAfterCloseIsIgnoredInsteadOfThrowingOnTheInformerThread() {
        announcer.close();
        Pod late = pod("late", "n1", false, "192.0.2.30");
        assertThatCode(() -> announcer.changed(null, late)).doesNotThrowAnyException();
        assertThat(garp.sent()).isEmpty();
    }
}
