package dev.l2announcer.agent;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.kubernetes.client.WithKubernetesTestServer;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Where the agent's threads come from (issue 17, FootprintBenchmark counts them in the packaged agent):
 * the parts that used to start threads per informer are bounded.
 */
@QuarkusTest
@WithKubernetesTestServer(crud = true)
class ThreadBudgetQuarkusTest {
    @Inject
    KubernetesClient client;

    /** fabric8's default: a cached pool, one more thread for each informer busy at the same time. */
    @Test
    void informerCallbacksOfManyInformersRunOnTheTwoCallbackThreads() {
        Set<String> threads = ConcurrentHashMap.newKeySet();
        List<SharedIndexInformer<ConfigMap>> informers = new ArrayList<>();
        try {
            for (int i = 0; i < 6; i++) {
                String ns = "budget-" + i;
                informers.add(client.configMaps().inNamespace(ns).inform(new ResourceEventHandler<>() {
                    @Override
                    public void onAdd(ConfigMap cm) {
                        threads.add(Thread.currentThread().getName());
                        try {
                            Thread.sleep(50); // keep informers busy at once
                        } catch (InterruptedException e) {
                            Thread.currentThread().interrupt();
                        }
                    }

                    @Override
                    public void onUpdate(ConfigMap before, ConfigMap after) {
                    }

                    @Override
                    public void onDelete(ConfigMap cm, boolean unknownFinalState) {
                    }
                }));
            }
            for (int i = 0; i < 6; i++) {
                for (int j = 0; j < 5; j++) {
                    client.configMaps().inNamespace("budget-" + i).resource(new ConfigMapBuilder().withNewMetadata()
                            .withName("cm-" + j).endMetadata().build()).create();
                }
            }
            await().atMost(Duration.ofSeconds(20)).until(() -> informers.stream()
                    .allMatch(inf -> inf.getStore().list().size() == 5) && threads.size() >= 1);
            await().pollDelay(Duration.ofMillis(500)).atMost(Duration.ofSeconds(5)).until(() -> true);
            assertThat(threads).as("threads that ran informer callbacks")
                    .isNotEmpty()
                    .allMatch(n -> n.startsWith("l2a-kube-callbacks-"))
                    .hasSizeLessThanOrEqualTo(2);
        } finally {
            informers.forEach(SharedIndexInformer::close);
        }
    }
}
