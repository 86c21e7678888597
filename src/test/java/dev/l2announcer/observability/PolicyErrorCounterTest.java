package dev.l2announcer.observability;

import dev.l2announcer.policy.CiliumL2AnnouncementPolicy;
import dev.l2announcer.policy.L2AnnouncementPolicyStatus;
import io.fabric8.kubernetes.api.model.ConditionBuilder;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class PolicyErrorCounterTest {
    private static CiliumL2AnnouncementPolicy policy(String type, String status) {
        var p = new CiliumL2AnnouncementPolicy();
        var s = new L2AnnouncementPolicyStatus();
        if (type != null) {
            s.setConditions(List.of(new ConditionBuilder().withType(type).withStatus(status).build()));
        }
        p.setStatus(s);
        return p;
    }

    @Test
    void countsPoliciesWithATrueCiliumErrorCondition() {
        assertThat(PolicyErrorCounter.count(List.of(
                policy("io.cilium/bad-service-selector", "True"),
                policy("io.cilium/bad-interface-regex", "False"),   // fixed
                policy("example.com/other", "True"),                // not ours
                policy(null, null),
                new CiliumL2AnnouncementPolicy()))).isEqualTo(1);
    }
}
