package dev.l2announcer.deploy;

import dev.l2announcer.config.AgentConfigLoader;
import dev.l2announcer.deploy.RbacGrants.Grant;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Probe;
import io.fabric8.kubernetes.api.model.SecurityContext;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.fabric8.kubernetes.api.model.apps.DaemonSet;

import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/** What every rendering of the agent (plain manifests, Helm chart) must satisfy. */
final class AgentExpectations {

    static final String SERVICE_ACCOUNT = "l2-announcer";
    static final String CONFIG_DIR = "/etc/l2-announcer/config";

    /** Cluster-wide grants: exactly these (issue 2, item 5). */
    static final Set<Grant> ALLOWED_CLUSTER = grants(
            g("", "services", "get", "list", "watch"),
            g("", "nodes", "get", "list", "watch"),
            g("", "pods", "get", "list", "watch"),
            g("discovery.k8s.io", "endpointslices", "get", "list", "watch"),
            g("cilium.io", "ciliuml2announcementpolicies", "get", "list", "watch"),
            g("cilium.io", "ciliuml2announcementpolicies/status", "patch"),
            g("events.k8s.io", "events", "create"),
            g("authorization.k8s.io", "selfsubjectaccessreviews", "create"));

    /** Grants in the agent's namespace only: the Cilium-named leases. */
    static final Set<Grant> ALLOWED_NAMESPACED = grants(
            g("coordination.k8s.io", "leases", "create", "get", "update", "list", "watch", "delete"));

    /** cilium-config key names the ConfigMap carries, plus our bpf-pin-dir. */
    static final Set<String> CONFIG_KEYS = Set.of(
            "enable-l2-announcements", "l2-announcements-lease-duration", "l2-announcements-renew-deadline",
            "l2-announcements-retry-period", "k8s-client-qps", "k8s-client-burst", "devices",
            "enable-l2-pod-announcements", "l2-pod-announcements-interface", "enable-external-ips",
            "kube-proxy-replacement", "bpf-pin-dir");

    /**
     * SYS_ADMIN: the doctor's BPF_MAP/PROG_GET_NEXT_ID and *_GET_FD_BY_ID walk needs it even with CAP_BPF
     * (`setpriv --bounding-set=-sys_admin bpftool map show` gives EPERM); Cilium's agent has it too.
     */
    static final Set<String> AGENT_CAPABILITIES = Set.of("NET_ADMIN", "NET_RAW", "BPF", "PERFMON", "SYS_ADMIN");

    private AgentExpectations() {
    }

    static void assertRbacIsExactlyTheAllowedSet(Manifests manifests) {
        RbacGrants grants = RbacGrants.of(manifests, SERVICE_ACCOUNT);
        assertThat(grants.violations()).as("RBAC violations").isEmpty();
        assertThat(grants.cluster()).as("cluster-wide grants").containsExactlyInAnyOrderElementsOf(ALLOWED_CLUSTER);
        assertThat(grants.namespaced()).as("namespaced grants").containsExactlyInAnyOrderElementsOf(ALLOWED_NAMESPACED);
        assertThat(grants.cluster()).as("leases only in a Role")
                .noneMatch(g -> g.resource().startsWith("leases"));
    }

    /** The agent pod: host network, the five capabilities, bpffs, config dir, downward API, probes. */
    static void assertAgentDaemonSet(Manifests manifests, int port, String bpfRoot, boolean autoMount) {
        DaemonSet ds = manifests.one(DaemonSet.class, "l2-announcer");
        PodSpec pod = ds.getSpec().getTemplate().getSpec();
        assertThat(pod.getHostNetwork()).isTrue();
        assertThat(pod.getDnsPolicy()).isEqualTo("ClusterFirstWithHostNet");
        assertThat(pod.getPriorityClassName()).isEqualTo("system-node-critical");
        assertThat(pod.getServiceAccountName()).isEqualTo(SERVICE_ACCOUNT);
        assertThat(pod.getTolerations()).as("runs on every node, tainted or not")
                .anySatisfy(t -> {
                    assertThat(t.getOperator()).isEqualTo("Exists");
                    assertThat(t.getKey()).isNull();
                    assertThat(t.getEffect()).isNull();
                });
        assertThat(ds.getSpec().getSelector().getMatchLabels())
                .isNotEmpty()
                .allSatisfy((k, v) -> assertThat(ds.getSpec().getTemplate().getMetadata().getLabels()).containsEntry(k, v));

        Container agent = pod.getContainers().stream().filter(c -> c.getName().equals("agent")).findFirst().orElseThrow();
        assertThat(pod.getContainers()).hasSize(1);
        SecurityContext sc = agent.getSecurityContext();
        assertThat(sc.getCapabilities().getDrop()).containsExactly("ALL");
        assertThat(Set.copyOf(sc.getCapabilities().getAdd())).isEqualTo(AGENT_CAPABILITIES);
        assertThat(sc.getPrivileged()).isNotEqualTo(Boolean.TRUE);
        assertThat(sc.getAllowPrivilegeEscalation()).isFalse();
        assertThat(sc.getReadOnlyRootFilesystem()).isTrue();

        assertThat(agent.getArgs()).contains("--config-dir=" + CONFIG_DIR);
        assertThat(env(agent, "NODE_NAME").getValueFrom().getFieldRef().getFieldPath()).isEqualTo("spec.nodeName");
        assertThat(env(agent, "POD_NAMESPACE").getValueFrom().getFieldRef().getFieldPath()).isEqualTo("metadata.namespace");

        assertHttpProbe(agent.getReadinessProbe(), "/q/health/ready", port);
        assertHttpProbe(agent.getLivenessProbe(), "/q/health/live", port);
        assertThat(agent.getPorts()).anySatisfy(p -> {
            assertThat(p.getContainerPort()).isEqualTo(port);
            assertThat(p.getHostPort()).isEqualTo(port);
        });
        assertResourcesFitTheJvm(agent);

        VolumeMount bpf = mount(agent, bpfRoot);
        assertThat(volume(pod, bpf.getName()).getHostPath().getPath()).isEqualTo(bpfRoot);
        assertThat(bpf.getMountPropagation()).isEqualTo("HostToContainer");
        VolumeMount config = mount(agent, CONFIG_DIR);
        assertThat(config.getReadOnly()).isTrue();
        String configMapName = volume(pod, config.getName()).getConfigMap().getName();
        ConfigMap configMap = manifests.one(ConfigMap.class, configMapName);
        assertThat(configMap.getData().keySet()).containsAll(CONFIG_KEYS);
        // The agent skips unknown files in its config directory, so a misspelt key would be silently ignored.
        assertThat(AgentConfigLoader.KEYS).as("keys the agent reads").containsAll(configMap.getData().keySet());
        assertThat(volume(pod, mount(agent, "/tmp").getName()).getEmptyDir()).as("writable /tmp").isNotNull();
        for (Container c : allContainers(pod)) {
            for (VolumeMount m : c.getVolumeMounts()) {
                volume(pod, m.getName());
            }
        }

        // Privileged only in the container that mounts bpffs, and only when asked for; SYS_ADMIN only
        // there and in the agent (which keeps everything else dropped).
        Set<String> privileged = allContainers(pod).stream()
                .filter(c -> c.getSecurityContext() != null)
                .filter(c -> Boolean.TRUE.equals(c.getSecurityContext().getPrivileged()))
                .map(Container::getName).collect(Collectors.toCollection(TreeSet::new));
        Set<String> sysAdmin = allContainers(pod).stream()
                .filter(c -> c.getSecurityContext() != null && c.getSecurityContext().getCapabilities() != null
                        && c.getSecurityContext().getCapabilities().getAdd() != null
                        && c.getSecurityContext().getCapabilities().getAdd().contains("SYS_ADMIN"))
                .map(Container::getName).collect(Collectors.toCollection(TreeSet::new));
        assertThat(sysAdmin).isEqualTo(autoMount ? Set.of("agent", "mount-bpffs") : Set.of("agent"));
        if (autoMount) {
            assertThat(privileged).containsExactly("mount-bpffs");
            Container init = pod.getInitContainers().getFirst();
            assertThat(String.join(" ", init.getCommand())).contains("mount -t bpf bpf " + bpfRoot).contains("bpf_fs");
            assertThat(mount(init, bpfRoot).getMountPropagation()).isEqualTo("Bidirectional");
        } else {
            assertThat(privileged).isEmpty();
            assertThat(pod.getInitContainers()).isNullOrEmpty();
        }
    }

    /**
     * What the JVM needs besides its heap with 1,000 Services held (FootprintBenchmark: RSS minus committed
     * heap, max of three agents), and the RSS of one {@code dbg} CLI JVM run in the agent's container.
     */
    static final long NON_HEAP_MIB = 136;
    static final long DBG_CLI_MIB = 80;

    /**
     * Requests and a memory limit, the limit large enough for the heap bound the image's jvm.options
     * sets plus the measured rest; no CPU limit (throttling delays renewals); and no JVM option in the
     * pod: the image's launcher passes jvm.options, the one place they are defined.
     */
    static void assertResourcesFitTheJvm(Container agent) {
        var resources = agent.getResources();
        assertThat(resources.getRequests()).containsKeys("cpu", "memory");
        assertThat(resources.getLimits()).containsKey("memory").doesNotContainKey("cpu");
        long heap;
        try {
            heap = JvmOptions.read().mebibytes("-Xmx").orElseThrow();
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        long limit = mebibytes(resources.getLimits().get("memory"));
        assertThat(limit).as("memory limit (MiB) vs -Xmx %d + non-heap %d + dbg CLI %d", heap, NON_HEAP_MIB, DBG_CLI_MIB)
                .isGreaterThanOrEqualTo(heap + NON_HEAP_MIB + DBG_CLI_MIB);
        assertThat(mebibytes(resources.getRequests().get("memory"))).isLessThanOrEqualTo(limit);
        assertThat(agent.getEnv()).as("JVM options come from jvm.options only").extracting(EnvVar::getName)
                .doesNotContain("JAVA_TOOL_OPTIONS", "JDK_JAVA_OPTIONS", "JAVA_OPTS", "_JAVA_OPTIONS");
        assertThat(agent.getCommand()).as("the image's ENTRYPOINT (the launcher) starts the agent").isNullOrEmpty();
        assertThat(agent.getArgs()).noneMatch(a -> a.startsWith("-X") || a.startsWith("-D"));
    }

    private static long mebibytes(io.fabric8.kubernetes.api.model.Quantity q) {
        return io.fabric8.kubernetes.api.model.Quantity.getAmountInBytes(q).longValueExact() / (1024 * 1024);
    }

    private static void assertHttpProbe(Probe probe, String path, int port) {
        assertThat(probe).as("probe " + path).isNotNull();
        assertThat(probe.getHttpGet().getPath()).isEqualTo(path);
        assertThat(probe.getHttpGet().getPort().getIntVal()).isEqualTo(port);
    }

    private static EnvVar env(Container c, String name) {
        return c.getEnv().stream().filter(e -> e.getName().equals(name)).findFirst()
                .orElseThrow(() -> new AssertionError("no env " + name));
    }

    private static VolumeMount mount(Container c, String path) {
        return c.getVolumeMounts().stream().filter(m -> m.getMountPath().equals(path)).findFirst()
                .orElseThrow(() -> new AssertionError(c.getName() + " does not mount " + path));
    }

    private static Volume volume(PodSpec pod, String name) {
        return pod.getVolumes().stream().filter(v -> v.getName().equals(name)).findFirst()
                .orElseThrow(() -> new AssertionError("no volume " + name));
    }

    private static java.util.List<Container> allContainers(PodSpec pod) {
        return Stream.concat(pod.getContainers().stream(),
                pod.getInitContainers() == null ? Stream.empty() : pod.getInitContainers().stream()).toList();
    }

    private static Set<Grant> grants(Set<Grant>... groups) {
        Set<Grant> all = new TreeSet<>();
        for (Set<Grant> g : groups) {
            all.addAll(g);
        }
        return Set.copyOf(all);
    }

    private static Set<Grant> g(String group, String resource, String... verbs) {
        return Stream.of(verbs).map(v -> new Grant(group, resource, v)).collect(Collectors.toSet());
    }
}
