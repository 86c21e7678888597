package dev.l2announcer.observability;

import dev.l2announcer.config.AgentConfig;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class ConfigChecksTest {
    private static DoctorCheck find(List<DoctorCheck> l, String check) {
        return l.stream().filter(c -> c.check().equals(check)).findFirst().orElseThrow();
    }

    @Test
    void defaultsAreHealthy() {
        assertThat(ConfigChecks.check(AgentConfig.defaults("n1")))
                .allSatisfy(c -> assertThat(c.status()).isEqualTo(DoctorCheck.Status.OK));
    }

    @Test
    void leaseTimingsFollowClientGoRules() {
        var bad = AgentConfig.defaults("n1").withLeaseTimings(Duration.ofSeconds(5), Duration.ofSeconds(5), Duration.ofSeconds(1));
        assertThat(find(ConfigChecks.check(bad), "config.lease-timings").status()).isEqualTo(DoctorCheck.Status.FAIL);
        var tight = AgentConfig.defaults("n1").withLeaseTimings(Duration.ofSeconds(3), Duration.ofMillis(1500), Duration.ofSeconds(1));
        assertThat(find(ConfigChecks.check(tight), "config.lease-timings").status()).isEqualTo(DoctorCheck.Status.WARN);
        var retryTooLong = AgentConfig.defaults("n1").withLeaseTimings(Duration.ofSeconds(3), Duration.ofSeconds(1), Duration.ofSeconds(1));
        assertThat(find(ConfigChecks.check(retryTooLong), "config.lease-timings").status()).isEqualTo(DoctorCheck.Status.FAIL);
    }

    @Test
    void renewBudgetWarnsBeforeRenewalsTakeTheWholeQps() {
        AgentConfig d = AgentConfig.defaults("n1"); // 10 qps, retry 2 s: 5 leases need 2.5 requests/s
        assertThat(ConfigChecks.renewBudget(d, 5).status()).isEqualTo(DoctorCheck.Status.OK);
        assertThat(ConfigChecks.renewBudget(d, 16).status()).isEqualTo(DoctorCheck.Status.WARN); // 8/s
        assertThat(ConfigChecks.renewBudget(d, 20).status()).isEqualTo(DoctorCheck.Status.FAIL); // 10/s
        assertThat(ConfigChecks.renewBudget(d, 20).detail()).contains("20 held leases renew 10.0 requests/s of k8s-client-qps 10");
    }

    @Test
    void podAnnouncementsNeedAnInterfaceOrAValidPattern() {
        AgentConfig d = AgentConfig.defaults("n1");
        AgentConfig none = podConfig(d, "", "");
        assertThat(find(ConfigChecks.check(none), "config.l2-pod-announcements").status()).isEqualTo(DoctorCheck.Status.FAIL);
        AgentConfig badRe = podConfig(d, "", "eth[");
        assertThat(find(ConfigChecks.check(badRe), "config.l2-pod-announcements").status()).isEqualTo(DoctorCheck.Status.FAIL);
        AgentConfig ok = podConfig(d, "", "^eth[0-9]+$");
        assertThat(find(ConfigChecks.check(ok), "config.l2-pod-announcements").status()).isEqualTo(DoctorCheck.Status.OK);
    }

    @Test
    void missingNodeNameFails() {
        assertThat(find(ConfigChecks.check(AgentConfig.defaults("")), "config.node-name").status())
                .isEqualTo(DoctorCheck.Status.FAIL);
    }

    static AgentConfig podConfig(AgentConfig d, String iface, String pattern) {
        return new AgentConfig(d.enableL2Announcements(), d.leaseDuration(), d.renewDeadline(), d.retryPeriod(),
                d.k8sClientQps(), d.k8sClientBurst(), d.devices(), true, iface, pattern, d.enableExternalIps(),
                d.kubeProxyReplacement(), d.nodeName(), d.leaseNamespace(), d.bpfPinDir(), d.garpRepeats(),
                d.garpInterval(), d.healthProbeInterval(), d.debugPort());
    }
}
