package dev.l2announcer.config;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class AgentConfigLoaderTest {

    static AgentConfig load(List<String> args, Map<String, String> env) {
        return AgentConfigLoader.load(args, env, "host-1");
    }

    @Test
    void defaultsAreCiliumsAndOurs() {
        AgentConfig c = load(List.of(), Map.of());
        assertThat(c).isEqualTo(AgentConfig.defaults("host-1"));
        assertThat(c.leaseDuration()).isEqualTo(Duration.ofSeconds(15));
        assertThat(c.renewDeadline()).isEqualTo(Duration.ofSeconds(5));
        assertThat(c.retryPeriod()).isEqualTo(Duration.ofSeconds(2));
        assertThat(c.leaseNamespace()).isEqualTo("kube-system");
        assertThat(c.bpfPinDir()).isEqualTo(Path.of("/sys/fs/bpf/l2-announcer"));
    }

    @Test
    void mountedConfigMapDirectoryIsRead(@TempDir Path dir) throws Exception {
        // What kubelet mounts for a ConfigMap: ..data symlink dir + one symlink per key.
        Path data = Files.createDirectory(dir.resolve("..2026_01_01_00_00_00.000000001"));
        Files.writeString(data.resolve("l2-announcements-lease-duration"), "3s\n");
        Files.writeString(data.resolve("l2-announcements-renew-deadline"), " 1s ");
        Files.writeString(data.resolve("l2-announcements-retry-period"), "200ms");
        Files.writeString(data.resolve("enable-l2-announcements"), "true");
        Files.writeString(data.resolve("devices"), "eth0 eth1\nbond0");
        Files.writeString(data.resolve("k8s-client-qps"), "32.5");
        Files.writeString(data.resolve("k8s-client-burst"), "50");
        Files.writeString(data.resolve("enable-bpf-masquerade"), "true"); // some other Cilium key: ignored
        Files.createSymbolicLink(dir.resolve("..data"), data.getFileName());
        for (String f : List.of("l2-announcements-lease-duration", "l2-announcements-renew-deadline",
                "l2-announcements-retry-period", "enable-l2-announcements", "devices", "k8s-client-qps",
                "k8s-client-burst", "enable-bpf-masquerade")) {
            Files.createSymbolicLink(dir.resolve(f), Path.of("..data").resolve(f));
        }
        AgentConfig c = load(List.of("--config-dir=" + dir), Map.of("NODE_NAME", "worker-1", "POD_NAMESPACE", "l2"));
        assertThat(c.leaseDuration()).isEqualTo(Duration.ofSeconds(3));
        assertThat(c.renewDeadline()).isEqualTo(Duration.ofSeconds(1));
        assertThat(c.retryPeriod()).isEqualTo(Duration.ofMillis(200));
        assertThat(c.devices()).containsExactly("eth0", "eth1", "bond0");
        assertThat(c.k8sClientQps()).isEqualTo(32.5);
        assertThat(c.k8sClientBurst()).isEqualTo(50);
        assertThat(c.nodeName()).isEqualTo("worker-1");
        assertThat(c.leaseNamespace()).isEqualTo("l2");
    }

    @Test
    void precedenceIsDirectoryThenEnvThenFlags(@TempDir Path dir) throws Exception {
        Files.writeString(dir.resolve("l2-announcements-lease-duration"), "30s");
        Files.writeString(dir.resolve("l2-announcements-renew-deadline"), "10s");
        Files.writeString(dir.resolve("k8s-client-burst"), "7");
        Map<String, String> env = Map.of("CONFIG_DIR", dir.toString(),
                "L2_ANNOUNCEMENTS_LEASE_DURATION", "20s", "K8S_CLIENT_BURST", "8",
                "L2_ANNOUNCEMENTS_LEASE_NAMESPACE", "from-env");
        AgentConfig c = load(List.of("--k8s-client-burst=9", "--devices=eth0,eth2", "--enable-external-ips=false",
                "--enable-l2-pod-announcements"), env);
        assertThat(c.leaseDuration()).isEqualTo(Duration.ofSeconds(20));   // env beats the directory
        assertThat(c.renewDeadline()).isEqualTo(Duration.ofSeconds(10));   // only in the directory
        assertThat(c.k8sClientBurst()).isEqualTo(9);                       // flag beats env and directory
        assertThat(c.devices()).containsExactly("eth0", "eth2");
        assertThat(c.enableExternalIps()).isFalse();
        assertThat(c.enableL2PodAnnouncements()).isTrue();                 // bare boolean flag
        assertThat(c.leaseNamespace()).isEqualTo("from-env");
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
            // Cilium's lease timing rules (pkg/l2announcer/l2announcer.go leaseTimings)
            "--l2-announcements-lease-duration=5s|invalid l2-announcements-lease-duration \"5s\" (from flag --l2-announcements-lease-duration): must be greater than l2-announcements-renew-deadline (5s)",
            "--l2-announcements-lease-duration=500ms|invalid l2-announcements-lease-duration \"500ms\" (from flag --l2-announcements-lease-duration): must be at least 1s",
            "--l2-announcements-retry-period=4200ms|invalid l2-announcements-retry-period \"4200ms\" (from flag --l2-announcements-retry-period): must be at least 20% below l2-announcements-renew-deadline: l2-announcements-renew-deadline (5s) must be greater than l2-announcements-retry-period x 1.2 (5.04s)",
            "--l2-announcements-retry-period=0s|invalid l2-announcements-retry-period \"0s\" (from flag --l2-announcements-retry-period): must be at least 1ns",
            "--l2-announcements-retry-period=-1s|invalid l2-announcements-retry-period \"-1s\" (from flag --l2-announcements-retry-period): must be at least 1ns",
            "--l2-announcements-renew-deadline=0|invalid l2-announcements-renew-deadline \"0\" (from flag --l2-announcements-renew-deadline): must be at least 1ns",
            "--l2-announcements-lease-duration=15|invalid l2-announcements-lease-duration \"15\" (from flag --l2-announcements-lease-duration): must be a Go duration such as 15s, 1m30s or 200ms (time: missing unit in duration \"15\")",
            "--l2-announcements-renew-deadline=5 seconds|invalid l2-announcements-renew-deadline \"5 seconds\" (from flag --l2-announcements-renew-deadline): must be a Go duration such as 15s, 1m30s or 200ms (time: unknown unit \" seconds\" in duration \"5 seconds\")",
            "--enable-l2-announcements=yes|invalid enable-l2-announcements \"yes\" (from flag --enable-l2-announcements): must be true or false",
            "--k8s-client-qps=0|invalid k8s-client-qps \"0\" (from flag --k8s-client-qps): must be a number greater than 0",
            "--k8s-client-qps=fast|invalid k8s-client-qps \"fast\" (from flag --k8s-client-qps): must be a number greater than 0",
            "--k8s-client-burst=0|invalid k8s-client-burst \"0\" (from flag --k8s-client-burst): must be an integer from 1 to 1000000",
            "--l2-announcements-garp-repeats=0|invalid l2-announcements-garp-repeats \"0\" (from flag --l2-announcements-garp-repeats): must be an integer from 1 to 100",
            "--l2-announcements-lease-duration=2147483648s|invalid l2-announcements-lease-duration \"2147483648s\" (from flag --l2-announcements-lease-duration): must be at most 2147483647s (leaseDurationSeconds is a 32-bit integer)",
            "--debug-port=70000|invalid debug-port \"70000\" (from flag --debug-port): must be an integer from 1 to 65535",
            "--l2-pod-announcements-interface-pattern=eth[|invalid l2-pod-announcements-interface-pattern \"eth[\" (from flag --l2-pod-announcements-interface-pattern): must be a Go (RE2) regular expression: error parsing regexp: missing closing ]: `[`",
            "--l2-announcements-lease-namespace=Kube_System|invalid l2-announcements-lease-namespace \"Kube_System\" (from flag --l2-announcements-lease-namespace): must be a namespace name (RFC 1123 label)",
            "--lease-duration=3s|unknown flag --lease-duration (known: enable-l2-announcements, l2-announcements-lease-duration, l2-announcements-renew-deadline, l2-announcements-retry-period, k8s-client-qps, k8s-client-burst, devices, enable-l2-pod-announcements, l2-pod-announcements-interface, l2-pod-announcements-interface-pattern, enable-external-ips, kube-proxy-replacement, node-name, l2-announcements-lease-namespace, bpf-pin-dir, l2-announcements-garp-repeats, l2-announcements-garp-interval, health-probe-interval, debug-port, l2-announcements-heartbeat-interval, config-dir)"})
    void invalidValuesStopTheAgentWithOneMessage(String flag, String message) {
        assertThatThrownBy(() -> load(List.of(flag), Map.of())).isInstanceOf(ConfigException.class).hasMessage(message);
    }

    @Test
    void boundaryOfTheTwentyPercentRuleMatchesCilium() {
        // renew 6s, retry 5s: 1.2 x 5s = 6s, and Cilium requires renew > 1.2 x retry: rejected.
        assertThatThrownBy(() -> load(List.of("--l2-announcements-renew-deadline=6s",
                "--l2-announcements-retry-period=5s"), Map.of())).isInstanceOf(ConfigException.class);
        // 1ns more is accepted
        AgentConfig c = load(List.of("--l2-announcements-renew-deadline=6000000001ns",
                "--l2-announcements-retry-period=5s"), Map.of());
        assertThat(c.renewDeadline()).isEqualTo(Duration.ofNanos(6_000_000_001L));
        // Cilium's documented fast example: 3s / 1s / 200ms
        assertThat(load(List.of("--l2-announcements-lease-duration=3s", "--l2-announcements-renew-deadline=1s",
                "--l2-announcements-retry-period=200ms"), Map.of()).leaseDuration()).isEqualTo(Duration.ofSeconds(3));
    }

    @Test
    void renewDeadlineMustBeBelowTheWholeSecondLease() {
        // The lease is written with leaseDurationSeconds=1, so a 1.2s renew deadline would outlive it.
        assertThatThrownBy(() -> load(List.of("--l2-announcements-lease-duration=1500ms",
                "--l2-announcements-renew-deadline=1200ms", "--l2-announcements-retry-period=200ms"), Map.of()))
                .isInstanceOf(ConfigException.class)
                .hasMessage("invalid l2-announcements-renew-deadline \"1200ms\" (from flag --l2-announcements-renew-deadline): "
                        + "must be less than the lease duration in whole seconds (leaseDurationSeconds 1 from "
                        + "l2-announcements-lease-duration 1.5s)");
        AgentConfig ok = load(List.of("--l2-announcements-lease-duration=1500ms",
                "--l2-announcements-renew-deadline=700ms", "--l2-announcements-retry-period=200ms"), Map.of());
        // What the election engine requires of every config the loader accepts.
        assertThat(ok.leaseTimings().renewDeadline())
                .isEqualTo(Duration.ofMillis(700));
    }

    @Test
    void errorsNameTheSourceOfTheValue(@TempDir Path dir) throws Exception {
        Files.writeString(dir.resolve("l2-announcements-retry-period"), "abc");
        assertThatThrownBy(() -> load(List.of(), Map.of("CONFIG_DIR", dir.toString())))
                .hasMessageStartingWith("invalid l2-announcements-retry-period \"abc\" (from file " + dir
                        + "/l2-announcements-retry-period)");
        assertThatThrownBy(() -> load(List.of(), Map.of("L2_ANNOUNCEMENTS_RETRY_PERIOD", "abc")))
                .hasMessageStartingWith("invalid l2-announcements-retry-period \"abc\" (from env L2_ANNOUNCEMENTS_RETRY_PERIOD)");
        assertThatThrownBy(() -> load(List.of("--config-dir=" + dir.resolve("missing")), Map.of()))
                .isInstanceOf(ConfigException.class).hasMessageContaining("not a readable directory");
    }

    @Test
    void nodeNameComesFromDownwardApiEnvElseHostname() {
        assertThat(load(List.of(), Map.of("NODE_NAME", "w2")).nodeName()).isEqualTo("w2");
        assertThat(load(List.of("--node-name=w3"), Map.of("NODE_NAME", "w2")).nodeName()).isEqualTo("w3");
        assertThat(load(List.of(), Map.of()).nodeName()).isEqualTo("host-1");
        assertThatThrownBy(() -> AgentConfigLoader.load(List.of(), new HashMap<>(), ""))
                .isInstanceOf(ConfigException.class).hasMessageContaining("NODE_NAME");
    }

    @Test
    void everyKeyHasItsEnvironmentVariable() {
        for (String key : AgentConfigLoader.KEYS) {
            assertThat(AgentConfigLoader.envName(key)).matches("[A-Z0-9_]+");
        }
        assertThat(AgentConfigLoader.envName("l2-announcements-lease-duration")).isEqualTo("L2_ANNOUNCEMENTS_LEASE_DURATION");
    }
}
