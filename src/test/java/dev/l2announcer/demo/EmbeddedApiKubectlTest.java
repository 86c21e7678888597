package dev.l2announcer.demo;

import dev.l2announcer.demo.api.EmbeddedApiServer;
import dev.l2announcer.observability.EventRateLimiter;
import dev.l2announcer.observability.ServiceEventRecorder;
import dev.l2announcer.policy.CiliumL2AnnouncementPolicy;
import dev.l2announcer.policy.PolicyStatusFactory;
import dev.l2announcer.policy.PolicyStatusWriter;
import dev.l2announcer.selection.ServiceRef;
import dev.l2announcer.time.Ticker;
import io.fabric8.kubernetes.api.model.coordination.v1.LeaseBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The user's path with a real kubectl against the embedded API (on loopback, no root needed): apply
 * with client-side validation, get (server-side tables), describe of a policy's conditions and of a
 * Service's events as the agent writes them, label, strategic-merge re-apply, delete. Runs with the
 * kubectl on the PATH (v1.32 on these machines; any v1.20 or later) and with v1.20 (Debian's
 * kubernetes-client, unpacked into {@code target/kubectl-1.20} by .ci/run, or
 * {@code -Dl2a.kubectl120=PATH}). Under CI a missing binary fails the test; elsewhere it is skipped
 * with the reason.
 */
class EmbeddedApiKubectlTest {
    static final Path KUBECTL_120 = Path.of(System.getProperty("l2a.kubectl120", "target/kubectl-1.20/usr/bin/kubectl"));
    private static final String BAD_POLICY = """
            apiVersion: cilium.io/v2alpha1
            kind: CiliumL2AnnouncementPolicy
            metadata:
              name: policy1
            spec:
              serviceSelector:
                matchExpressions:
                  - key: color
                    operator: In
              interfaces:
                - ^eth[0-9]+
              loadBalancerIPs: true
            """;

    @TempDir
    Path tmp;
    private EmbeddedApiServer api;

    @AfterEach
    void stop() {
        if (api != null) {
            api.close();
        }
    }

    /** {@code path}: the kubectl on the PATH (v1.32 on these machines); {@code 1.20}: Debian's. */
    private Kubectl kubectl(String which) {
        Optional<Path> binary = which.equals("path") ? Kubectl.onPath() : Optional.of(KUBECTL_120).filter(Files::isExecutable);
        if (binary.isEmpty()) {
            String why = which.equals("path") ? "no kubectl on the PATH"
                    : KUBECTL_120 + " missing (.ci/run unpacks Debian's kubernetes-client there)";
            if ("true".equals(System.getenv("CI"))) {
                fail(why);
            }
            System.out.println("EmbeddedApiKubectlTest: skipped for kubectl " + which + ": " + why);
            assumeTrue(false, why);
        }
        api = EmbeddedApiServer.start(InetAddress.getLoopbackAddress(), 0, Resources.CRD_FILES);
        Kubectl k = new Kubectl(binary.get(), Kubectl.writeKubeconfig(tmp.resolve("kubeconfig"), api.url(), "default"),
                tmp.resolve("cache"));
        String version = k.clientVersion();
        System.out.println("EmbeddedApiKubectlTest: " + binary.get() + ": " + version);
        assertThat(version).containsPattern(which.equals("path") ? "v1\\.(2\\d|[3-9]\\d)\\." : "v1\\.20\\.");
        return k;
    }

    private static String ok(Kubectl k, String... args) {
        Kubectl.Result r = k.run(args);
        assertThat(r.exit()).as("kubectl %s\nstdout: %s\nstderr: %s", String.join(" ", args), r.out(), r.err()).isZero();
        return r.out();
    }

    @ParameterizedTest(name = "kubectl {0}")
    @ValueSource(strings = {"path", "1.20"})
    void applyGetDescribeLabelDelete(String which) throws Exception {
        Kubectl k = kubectl(which);
        Path bad = Files.writeString(tmp.resolve("bad.yaml"), BAD_POLICY);
        Path typo = Files.writeString(tmp.resolve("typo.yaml"), BAD_POLICY.replace("serviceSelector:", "serviceSelectr:"));

        // apply validates against the CRD's schema from /openapi/v2 (kubectl says which field is wrong)
        Kubectl.Result rejected = k.run("apply", "-f", typo.toString());
        assertThat(rejected.exit()).isNotZero();
        assertThat(rejected.err()).contains("unknown field \"serviceSelectr\"");
        assertThat(ok(k, "apply", "-f", bad.toString())).contains("ciliuml2announcementpolicy.cilium.io/policy1 created");
        assertThat(ok(k, "get", "l2announcement")).containsPattern("NAME +AGE\npolicy1 +\\d+s\n");

        // the agent's own status write path, then describe shows the condition in Kubernetes' wording
        try (KubernetesClient c = api.client()) {
            PolicyStatusWriter writer = new PolicyStatusWriter(c, new PolicyStatusFactory(Clock.systemUTC()));
            assertThat(writer.write(c.resources(CiliumL2AnnouncementPolicy.class).withName("policy1").get())).isTrue();
        }
        String described = ok(k, "describe", "l2announcement", "policy1");
        assertThat(described).contains("Kind:         CiliumL2AnnouncementPolicy")
                .containsPattern("Message: +values: Invalid value: \\[]string\\(nil\\): for 'in', 'notin' operators, values set can't be empty")
                .containsPattern("Status: +True\n +Type: +io.cilium/bad-service-selector");

        // re-apply the fixed example: a JSON merge patch (kubectl apply of a custom resource)
        assertThat(ok(k, "apply", "-f", "deploy/examples/l2-announcement-policy.yaml")).contains("policy1 configured");
        assertThat(ok(k, "get", "l2announcement", "policy1", "-o", "jsonpath={.spec.serviceSelector}"))
                .isEqualTo("{\"matchLabels\":{\"color\":\"blue\"}}");

        assertThat(ok(k, "apply", "-f", "deploy/examples/services.yaml"))
                .contains("service/example-dns-tcp created", "service/example-dns-udp created");
        try (KubernetesClient c = api.client()) {
            EmbeddedApiServer.setLoadBalancerIp(c, "default", "example-dns-tcp", "192.0.2.10");
            c.leases().inNamespace("kube-system").resource(new LeaseBuilder().withNewMetadata()
                    .withName("cilium-l2announce-default-example-dns-tcp").endMetadata().withNewSpec()
                    .withHolderIdentity("node2").withLeaseDurationSeconds(15).endSpec().build()).create();
            ServiceEventRecorder events = new ServiceEventRecorder(c, "node2",
                    new EventRateLimiter(Ticker.system(), 10, Duration.ofSeconds(1)), Clock.systemUTC());
            events.warning(new ServiceRef("default", "example-dns-tcp"), "L2AnnouncementNoAnswer", "no answer for 192.0.2.10");
            await().atMost(Duration.ofSeconds(10)).until(() ->
                    !c.resources(io.fabric8.kubernetes.api.model.events.v1.Event.class).inNamespace("default").list().getItems().isEmpty());
            events.close();
        }
        assertThat(ok(k, "get", "svc")).containsPattern(
                "NAME +TYPE +CLUSTER-IP +EXTERNAL-IP +PORT\\(S\\) +AGE\n"
                        + "example-dns-tcp +LoadBalancer +198\\.51\\.100\\.\\d+ +192\\.0\\.2\\.10 +53/TCP +\\d+s\n"
                        + "example-dns-udp +LoadBalancer +198\\.51\\.100\\.\\d+ +<pending> +53/UDP +\\d+s\n");
        assertThat(ok(k, "-n", "kube-system", "get", "lease"))
                .containsPattern("NAME +HOLDER +AGE\ncilium-l2announce-default-example-dns-tcp +node2 +\\d+s\n");
        // describe service lists events through core/v1 (field selector on involvedObject); the agent wrote events.k8s.io/v1
        assertThat(ok(k, "describe", "service", "example-dns-tcp"))
                .containsPattern("LoadBalancer Ingress: +192\\.0\\.2\\.10")
                .containsPattern("Events:\n +Type +Reason +Age +From +Message\n +---- +------ +---- +---- +-------\n"
                        + " +Warning +L2AnnouncementNoAnswer +\\d+s +l2-announcer +no answer for 192\\.0\\.2\\.10\n");
        assertThat(ok(k, "describe", "service", "example-dns-udp")).containsPattern("Events: +<none>");

        assertThat(ok(k, "label", "service", "example-dns-udp", "tier=front")).contains("service/example-dns-udp labeled");
        assertThat(ok(k, "get", "svc", "-l", "tier=front", "-o", "name")).isEqualTo("service/example-dns-udp\n");
        assertThat(ok(k, "label", "service", "example-dns-udp", "tier-")).contains("service/example-dns-udp"); // 1.20 says "labeled"
        assertThat(ok(k, "get", "svc", "example-dns-udp", "-o", "jsonpath={.metadata.labels}")).isEqualTo("{\"color\":\"blue\"}");

        // a changed Service: kubectl sends a strategic merge patch (ports merge by port)
        Path moved = Files.writeString(tmp.resolve("services.yaml"),
                Files.readString(Path.of("deploy/examples/services.yaml")).replace("port: 53\n", "port: 54\n"));
        assertThat(ok(k, "apply", "-f", moved.toString())).contains("service/example-dns-tcp configured");
        assertThat(ok(k, "get", "svc", "example-dns-tcp", "-o", "jsonpath={.spec.ports[*].port} {.status.loadBalancer.ingress[0].ip}"))
                .isEqualTo("54 192.0.2.10");

        assertThat(ok(k, "delete", "service", "example-dns-udp")).contains("service \"example-dns-udp\" deleted");
        assertThat(ok(k, "get", "svc", "-o", "name")).isEqualTo("service/example-dns-tcp\n");
        Kubectl.Result gone = k.run("get", "svc", "example-dns-udp");
        assertThat(gone.exit()).isNotZero();
        assertThat(gone.err()).contains("services \"example-dns-udp\" not found");
        assertThat(ok(k, "delete", "l2announcement", "policy1")).contains("\"policy1\" deleted");
        assertThat(ok(k, "api-resources", "--api-group=cilium.io"))
                .containsPattern("ciliuml2announcementpolicies +l2announcement +cilium.io/v2alpha1 +false +CiliumL2AnnouncementPolicy");
    }
}
