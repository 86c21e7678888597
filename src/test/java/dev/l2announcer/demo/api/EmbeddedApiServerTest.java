package dev.l2announcer.demo.api;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.Watcher;
import io.fabric8.kubernetes.client.WatcherException;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.net.InetAddress;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/** What the agent relies on keeps working behind the kubectl layer, and patches have kube-apiserver's semantics. */
class EmbeddedApiServerTest {
    private EmbeddedApiServer api;
    private KubernetesClient client;

    @BeforeEach
    void start() {
        api = EmbeddedApiServer.start(InetAddress.getLoopbackAddress(), 0, List.of());
        client = api.client();
    }

    @AfterEach
    void stop() {
        client.close();
        api.close();
    }

    private ConfigMap create() {
        return client.configMaps().inNamespace("default").resource(new ConfigMapBuilder().withNewMetadata().withName("cm")
                .addToLabels("a", "1").addToLabels("b", "2").endMetadata().addToData("k", "v").build()).create();
    }

    @Test
    void staleResourceVersionConflictsOnUpdateAndOnMergePatch() {
        ConfigMap first = create();
        client.configMaps().inNamespace("default").resource(new ConfigMapBuilder(first).addToData("k", "v2").build()).update();
        ConfigMap stale = new ConfigMapBuilder(first).addToData("k", "v3").build();
        assertThatThrownBy(() -> client.configMaps().inNamespace("default").resource(stale).update())
                .isInstanceOfSatisfying(KubernetesClientException.class, e -> assertThat(e.getCode()).isEqualTo(409));
        String patch = "{\"metadata\":{\"resourceVersion\":\"" + first.getMetadata().getResourceVersion() + "\"},\"data\":{\"k\":\"x\"}}";
        assertThatThrownBy(() -> client.configMaps().inNamespace("default").withName("cm")
                .patch(PatchContext.of(PatchType.JSON_MERGE), patch))
                .isInstanceOfSatisfying(KubernetesClientException.class, e -> assertThat(e.getCode()).isEqualTo(409));
        assertThat(client.configMaps().inNamespace("default").withName("cm").get().getData()).containsEntry("k", "v2");
    }

    @Test
    void mergePatchNullRemovesAKeyAndStrategicPatchMergesPortsByPort() {
        create();
        ConfigMap patched = client.configMaps().inNamespace("default").withName("cm")
                .patch(PatchContext.of(PatchType.JSON_MERGE), "{\"metadata\":{\"labels\":{\"a\":null}}}");
        assertThat(patched.getMetadata().getLabels()).containsOnlyKeys("b");
        assertThat(Patches.strategicMerge(Json.parse("{\"spec\":{\"ports\":[{\"port\":53,\"protocol\":\"TCP\"},{\"port\":80}]}}"),
                Json.parse("{\"spec\":{\"$setElementOrder/ports\":[{\"port\":54},{\"port\":80}],"
                        + "\"ports\":[{\"port\":54,\"protocol\":\"TCP\"},{\"$patch\":\"delete\",\"port\":53}]}}")))
                .isEqualTo(Json.parse("{\"spec\":{\"ports\":[{\"port\":80},{\"port\":54,\"protocol\":\"TCP\"}]}}"));
    }

    @Test
    void watchesDeliverAddedModifiedDeleted() {
        List<String> seen = new CopyOnWriteArrayList<>();
        try (var w = client.configMaps().inNamespace("default").watch(new Watcher<>() {
            @Override
            public void eventReceived(Action action, ConfigMap resource) {
                seen.add(action + " " + resource.getData().get("k"));
            }

            @Override
            public void onClose(WatcherException cause) {
            }
        })) {
            ConfigMap cm = create();
            client.configMaps().inNamespace("default").resource(new ConfigMapBuilder(cm).addToData("k", "v2").build()).update();
            client.configMaps().inNamespace("default").withName("cm").delete();
            await().atMost(Duration.ofSeconds(10)).until(() -> seen.size() >= 3);
        }
        assertThat(seen).containsExactly("ADDED v", "MODIFIED v2", "DELETED v2");
    }

    @Test
    void humanDurationsAreKubernetesOnes() {
        assertThat(List.of(Tables.human(Duration.ofSeconds(45)), Tables.human(Duration.ofSeconds(200)),
                Tables.human(Duration.ofMinutes(15)), Tables.human(Duration.ofMinutes(320)), Tables.human(Duration.ofHours(20)),
                Tables.human(Duration.ofHours(76)), Tables.human(Duration.ofDays(120))))
                .containsExactly("45s", "3m20s", "15m", "5h20m", "20h", "3d4h", "120d");
    }
}
