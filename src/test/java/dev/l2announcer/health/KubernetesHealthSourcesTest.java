package dev.l2announcer.health;

import dev.l2announcer.datapath.MacAddress;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.coordination.v1.LeaseBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

@EnableKubernetesMockClient(crud = true)
class KubernetesHealthSourcesTest {
    KubernetesClient client;

    @Test
    void readsHoldersTheirPublishedMacsAndNodeAddressesFromInformers() {
        client.leases().inNamespace("kube-system").resource(new LeaseBuilder()
                .withNewMetadata().withName("cilium-l2announce-default-web")
                .withAnnotations(Map.of(AnnouncedOnAnnotation.KEY, "eth0=02:00:5e:00:02:01")).endMetadata()
                .withNewSpec().withHolderIdentity("n1").endSpec().build()).create();
        client.leases().inNamespace("kube-system").resource(new LeaseBuilder()
                .withNewMetadata().withName("kube-scheduler").endMetadata()
                .withNewSpec().withHolderIdentity("cp").endSpec().build()).create();
        client.nodes().resource(new NodeBuilder().withNewMetadata().withName("n1").endMetadata()
                .withNewStatus().addNewAddress().withType("InternalIP").withAddress("192.0.2.1").endAddress().endStatus()
                .build()).create();
        try (var sources = KubernetesHealthSources.start(client, "kube-system", "n2")) {
            await().atMost(Duration.ofSeconds(10)).until(() -> !sources.leases().observed().isEmpty()
                    && !sources.nodes().get().isEmpty());
            assertThat(sources.leases().observed()).containsOnlyKeys("cilium-l2announce-default-web");
            ObservedLease web = sources.leases().observed().get("cilium-l2announce-default-web");
            assertThat(web.holder()).isEqualTo("n1");
            assertThat(web.published()).isTrue();
            assertThat(web.announcedOn()).containsEntry("eth0", MacAddress.parse("02:00:5e:00:02:01"));
            assertThat(sources.nodes().get()).singleElement().satisfies(n -> {
                assertThat(n.name()).isEqualTo("n1");
                assertThat(n.address().getHostAddress()).isEqualTo("192.0.2.1");
                assertThat(n.local()).isFalse();
            });

            // A takeover is seen through the watch: new holder, its MAC.
            client.leases().inNamespace("kube-system").withName("cilium-l2announce-default-web").edit(l -> {
                l.getSpec().setHolderIdentity("n3");
                l.getMetadata().getAnnotations().put(AnnouncedOnAnnotation.KEY, "eth0=02:00:5e:00:02:03");
                return l;
            });
            await().atMost(Duration.ofSeconds(10)).until(() ->
                    sources.leases().observed().get("cilium-l2announce-default-web").holder().equals("n3"));
            assertThat(sources.leases().observed().get("cilium-l2announce-default-web").announcedOn())
                    .containsEntry("eth0", MacAddress.parse("02:00:5e:00:02:03"));
        }
    }
}
