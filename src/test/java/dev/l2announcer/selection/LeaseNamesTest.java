package dev.l2announcer.selection;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class LeaseNamesTest {

    @Test
    void formatsLikeCilium() {
        assertThat(LeaseNames.forService(new ServiceRef("default", "deathstar")))
                .isEqualTo("cilium-l2announce-default-deathstar");
        assertThat(LeaseNames.forService(new ServiceRef("kube-system", "service-red")))
                .isEqualTo("cilium-l2announce-kube-system-service-red");
    }

    @Test
    void longestValidNamesAreNotShortened() {
        String ns = "n".repeat(63);
        String name = "s".repeat(63);
        String lease = LeaseNames.forService(new ServiceRef(ns, name));
        assertThat(lease).isEqualTo("cilium-l2announce-" + ns + "-" + name).hasSize(145);
    }

    @Test
    void overlongInputsAreCutWithAHashAndStayDistinct() {
        String ns = "n".repeat(120);
        String a = LeaseNames.forService(new ServiceRef(ns, "x".repeat(200) + "a"));
        String b = LeaseNames.forService(new ServiceRef(ns, "x".repeat(200) + "b"));
        assertThat(a).hasSize(LeaseNames.MAX_LENGTH).startsWith("cilium-l2announce-" + ns + "-xxx")
                .matches("[a-z0-9-]+[0-9a-f]{16}");
        assertThat(b).hasSize(LeaseNames.MAX_LENGTH).isNotEqualTo(a);
        assertThat(LeaseNames.forService(new ServiceRef(ns, "x".repeat(200) + "a"))).isEqualTo(a);
    }
}
