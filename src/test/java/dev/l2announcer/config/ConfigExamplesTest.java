package dev.l2announcer.config;

import dev.l2announcer.policy.CiliumL2AnnouncementPolicy;
import dev.l2announcer.policy.PolicyValidator;
import dev.l2announcer.policy.ValidatedPolicy;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.client.utils.Serialization;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** The examples under config/ stay valid and complete. */
class ConfigExamplesTest {

    @Test
    void exampleConfigMapMountedAsADirectoryLoadsAndNamesEveryKey(@TempDir Path dir) throws Exception {
        ConfigMap cm = Serialization.unmarshal(Files.readString(Path.of("config/cilium-config.yaml")), ConfigMap.class);
        for (Map.Entry<String, String> e : cm.getData().entrySet()) {
            Files.writeString(dir.resolve(e.getKey()), e.getValue());
        }
        AgentConfig c = AgentConfigLoader.load(List.of("--config-dir=" + dir), Map.of("NODE_NAME", "n1"), "h");
        assertThat(c.leaseDuration()).isEqualTo(Duration.ofSeconds(15));
        assertThat(c.devices()).containsExactly("eth0", "eth1");
        String text = Files.readString(Path.of("config/cilium-config.yaml"));
        for (String key : AgentConfigLoader.KEYS) {
            assertThat(text).as("config/cilium-config.yaml documents %s", key).contains(key);
        }
    }

    @Test
    void ciliumDocumentationPolicyValidatesWithNoCondition() throws Exception {
        CiliumL2AnnouncementPolicy p = Serialization.unmarshal(
                Files.readString(Path.of("config/l2-announcement-policy.yaml")), CiliumL2AnnouncementPolicy.class);
        ValidatedPolicy v = PolicyValidator.validate(p);
        assertThat(v.problems()).isEmpty();
        assertThat(v.matchesInterface("eth0")).isTrue();
        assertThat(v.externalIPs() && v.loadBalancerIPs()).isTrue();
    }
}
