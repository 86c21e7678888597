package dev.l2announcer.deploy;

import dev.l2announcer.config.AgentConfigLoader;
import com.marcnuri.helm.Helm;
import com.marcnuri.helm.LintResult;
import com.marcnuri.helm.TemplateCommand;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.apps.DaemonSet;
import io.fabric8.kubernetes.api.model.rbac.ClusterRoleBinding;
import io.fabric8.kubernetes.api.model.rbac.Role;
import io.fabric8.kubernetes.api.model.rbac.RoleBinding;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;
import java.util.function.UnaryOperator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Renders deploy/helm/l2-announcer with Helm's own Go template engine (helm-java: Helm's library
 * through JNA, no helm binary) and checks the result like the plain manifests.
 */
class HelmChartTest {

    /** helm-java defaults to v1.20, below the chart's kubeVersion; a current release instead. */
    static final String KUBE_VERSION = "1.33.0";
    static final Path CHART = DeployManifestsTest.DEPLOY.resolve("helm/l2-announcer");

    static Manifests render(String namespace, UnaryOperator<TemplateCommand> values) {
        TemplateCommand template = new Helm(CHART).template().withName("l2a").withNamespace(namespace)
                .withKubeVersion(KUBE_VERSION);
        return Manifests.parse(values.apply(template).call());
    }

    @Test
    void chartLintsClean() {
        LintResult lint = new Helm(CHART).lint().strict().call();
        assertThat(lint.isFailed()).as(String.join("\n", lint.getMessages())).isFalse();
    }

    @Test
    void defaultRenderingIsTheSameSetOfObjectsAsThePlainManifests() throws IOException {
        Manifests chart = render("l2a-system", t -> t);
        Manifests plain = DeployManifestsTest.plainManifests();
        assertThat(chart.kindsAndNames().stream().filter(n -> !n.startsWith("CustomResourceDefinition/")).toList())
                .isEqualTo(plain.kindsAndNames());
        assertThat(chart.one(ConfigMap.class, "l2-announcer-config").getData())
                .isEqualTo(plain.one(ConfigMap.class, "l2-announcer-config").getData());
        PodSpec chartPod = chart.one(DaemonSet.class, "l2-announcer").getSpec().getTemplate().getSpec();
        PodSpec plainPod = plain.one(DaemonSet.class, "l2-announcer").getSpec().getTemplate().getSpec();
        assertThat(chartPod).as("the chart renders deploy/daemonset.yaml's pod").isEqualTo(plainPod);
    }

    @Test
    void defaultRenderingGrantsExactlyTheAllowedSetInTheReleaseNamespace() {
        Manifests chart = render("l2a-system", t -> t);
        AgentExpectations.assertRbacIsExactlyTheAllowedSet(chart);
        AgentExpectations.assertAgentDaemonSet(chart, 9890, "/sys/fs/bpf", true);
        for (HasMetadata o : chart.objects()) {
            boolean clusterScoped = o.getKind().startsWith("Cluster") || o.getKind().equals("CustomResourceDefinition");
            assertThat(o.getMetadata().getNamespace()).as(o.getKind())
                    .isEqualTo(clusterScoped ? null : "l2a-system");
        }
        assertThat(chart.one(ClusterRoleBinding.class, "l2-announcer").getSubjects())
                .singleElement().satisfies(s -> assertThat(s.getNamespace()).isEqualTo("l2a-system"));
        assertThat(chart.one(RoleBinding.class, "l2-announcer-leases").getMetadata().getNamespace()).isEqualTo("l2a-system");
        assertThat(chart.one(Role.class, "l2-announcer-leases").getMetadata().getNamespace()).isEqualTo("l2a-system");
    }

    @Test
    void ciliumValueNamesLandInCiliumConfigKeys() {
        Manifests chart = render("kube-system", t -> t
                .set("l2announcements.leaseDuration", "3s")
                .set("l2announcements.leaseRenewDeadline", "1s")
                .set("l2announcements.leaseRetryPeriod", "200ms")
                .set("k8sClientRateLimit.qps", "32.5")
                .set("k8sClientRateLimit.burst", "50")
                .set("devices[0]", "eth0")
                .set("devices[1]", "eth1")
                .set("l2podAnnouncements.enabled", "true")
                .set("l2podAnnouncements.interface", "eth0")
                .set("externalIPs.enabled", "false")
                .set("kubeProxyReplacement", "true")
                .set("bpf.pinDir", "/sys/fs/bpf/l2a-test")
                .set("extraConfig.l2-announcements-garp-repeats", "5"));
        Map<String, String> data = chart.one(ConfigMap.class, "l2-announcer-config").getData();
        assertThat(data).containsEntry("l2-announcements-lease-duration", "3s")
                .containsEntry("l2-announcements-renew-deadline", "1s")
                .containsEntry("l2-announcements-retry-period", "200ms")
                .containsEntry("k8s-client-qps", "32.5")
                .containsEntry("k8s-client-burst", "50")
                .containsEntry("devices", "eth0 eth1")
                .containsEntry("enable-l2-pod-announcements", "true")
                .containsEntry("l2-pod-announcements-interface", "eth0")
                .containsEntry("enable-external-ips", "false")
                .containsEntry("kube-proxy-replacement", "true")
                .containsEntry("bpf-pin-dir", "/sys/fs/bpf/l2a-test")
                .containsEntry("l2-announcements-garp-repeats", "5");
        assertThat(AgentConfigLoader.KEYS).as("keys the agent reads").containsAll(data.keySet());
    }

    @Test
    void devicesAlsoAcceptCiliumsSpaceSeparatedString() {
        Manifests chart = render("kube-system", t -> t.set("devices", "eth0 bond0"));
        assertThat(chart.one(ConfigMap.class, "l2-announcer-config").getData()).containsEntry("devices", "eth0 bond0");
    }

    @Test
    void overriddenPortImageAndNoAutoMountDropTheOnlyPrivilegedContainer() {
        Manifests chart = render("net", t -> t
                .set("debugPort", "9999")
                .set("bpf.autoMount.enabled", "false")
                .set("image.repository", "registry.example/l2-announcer")
                .set("image.tag", "dev"));
        AgentExpectations.assertRbacIsExactlyTheAllowedSet(chart);
        AgentExpectations.assertAgentDaemonSet(chart, 9999, "/sys/fs/bpf", false);
        PodSpec pod = chart.one(DaemonSet.class, "l2-announcer").getSpec().getTemplate().getSpec();
        assertThat(pod.getContainers().getFirst().getImage()).isEqualTo("registry.example/l2-announcer:dev");
        assertThat(pod.getContainers().getFirst().getEnv()).anySatisfy(e -> {
            assertThat(e.getName()).isEqualTo("QUARKUS_HTTP_PORT");
            assertThat(e.getValue()).isEqualTo("9999");
        });
    }

    @Test
    void configChangeRollsThePods() {
        String before = render("kube-system", t -> t).one(DaemonSet.class, "l2-announcer")
                .getSpec().getTemplate().getMetadata().getAnnotations().get("checksum/config");
        String after = render("kube-system", t -> t.set("l2announcements.leaseDuration", "20s"))
                .one(DaemonSet.class, "l2-announcer").getSpec().getTemplate().getMetadata().getAnnotations().get("checksum/config");
        assertThat(before).isNotBlank().isNotEqualTo(after);
    }

    @Test
    void pinDirOutsideBpffsIsRejectedAtRenderTime() {
        assertThatThrownBy(() -> render("kube-system", t -> t.set("bpf.pinDir", "/var/run/l2a")))
                .hasMessageContaining("bpf.pinDir");
    }
}
