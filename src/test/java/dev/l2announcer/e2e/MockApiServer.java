package dev.l2announcer.e2e;

import dev.l2announcer.policy.CiliumL2AnnouncementPolicy;
import io.fabric8.kubernetes.api.model.LoadBalancerIngressBuilder;
import io.fabric8.kubernetes.api.model.LoadBalancerStatusBuilder;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.NodeStatusBuilder;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceStatusBuilder;
import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import io.fabric8.mockwebserver.http.MockResponse;
import io.fabric8.mockwebserver.http.RecordedRequest;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * A standalone Kubernetes API for the e2e cluster and the demo: the fabric8 mock server in CRUD mode
 * on {@code host:port}, run inside the API namespace so the agents reach it over the test LAN.
 * kubectl cannot talk to it (no discovery), so the test drives it through a line protocol on stdin:
 * one command per line, one answer line ({@code OK ...} or {@code ERR ...}) on stdout. Payloads are
 * base64 so they fit one line. See {@link ApiControl} for the commands.
 */
public final class MockApiServer {
    private MockApiServer() {
    }

    public static void main(String[] args) throws Exception {
        String host = args.length > 0 ? args[0] : "127.0.0.1";
        int port = args.length > 1 ? Integer.parseInt(args[1]) : 6443;
        KubernetesMockServer server = newServer();
        server.init(InetAddress.getByName(host), port);
        PrintStream out = new PrintStream(System.out, true, StandardCharsets.UTF_8);
        // The test's own client talks to the server inside this namespace (loopback of the API netns).
        try (KubernetesClient client = server.createClient()) {
            out.println("READY http://" + host + ":" + server.getPort());
            BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
            String line;
            while ((line = in.readLine()) != null) {
                if (line.isBlank()) {
                    continue;
                }
                String answer;
                try {
                    answer = "OK " + handle(client, line.trim().split(" "));
                } catch (Exception e) {
                    answer = "ERR " + String.valueOf(e.getMessage()).replace('\n', ' ');
                }
                out.println(answer);
                if (line.trim().equals("quit")) {
                    break;
                }
            }
        } finally {
            server.destroy();
        }
    }

    /** The mock server (CRUD, plain HTTP, allowing authorizer); call {@code init(...)} to start it. */
    static KubernetesMockServer newServer() {
        return new KubernetesMockServer(new Context(), new MockWebServer(), new HashMap<>(), new AllowingDispatcher(), false);
    }

    /**
     * CRUD, plus an authorizer that allows everything: the mock has no RBAC, so SelfSubjectAccessReviews
     * (the agent's {@code dbg doctor} RBAC self-check) are answered "allowed" instead of echoed back.
     */
    private static final class AllowingDispatcher extends KubernetesCrudDispatcher {
        AllowingDispatcher() {
            super(List.of());
        }

        @Override
        public MockResponse handleCreate(RecordedRequest request) {
            if (request.getPath().contains("/selfsubjectaccessreviews")) {
                GenericKubernetesResource review = Serialization.unmarshal(request.getUtf8Body(),
                        GenericKubernetesResource.class);
                review.setAdditionalProperty("status", Map.of("allowed", true, "reason", "e2e mock API: no RBAC"));
                return new MockResponse().setResponseCode(201).setBody(Serialization.asJson(review));
            }
            return super.handleCreate(request);
        }
    }

    private static String handle(KubernetesClient c, String[] a) {
        return switch (a[0]) {
            case "ping" -> "pong";
            case "quit" -> "bye";
            case "node" -> { // node NAME [k=v,k=v]
                Map<String, String> labels = new HashMap<>();
                if (a.length > 2) {
                    for (String kv : a[2].split(",")) {
                        String[] p = kv.split("=", 2);
                        labels.put(p[0], p.length > 1 ? p[1] : "");
                    }
                }
                createReadyNode(c, a[1], labels);
                yield a[1];
            }
            case "policy" -> { // policy B64YAML
                CiliumL2AnnouncementPolicy p = Serialization.unmarshal(decode(a[1]), CiliumL2AnnouncementPolicy.class);
                c.resources(CiliumL2AnnouncementPolicy.class).resource(p).createOr(op -> op.update());
                yield p.getMetadata().getName();
            }
            case "service" -> { // service B64YAML (status, if any, is dropped by the mock on create)
                Service s = Serialization.unmarshal(decode(a[1]), Service.class);
                c.services().resource(s).createOr(op -> op.update());
                yield s.getMetadata().getName();
            }
            case "service-lb-ip" -> { // service-lb-ip NS NAME IP: what a LB IPAM would write to /status
                Service s = c.services().inNamespace(a[1]).withName(a[2]).get();
                s.setStatus(new ServiceStatusBuilder().withLoadBalancer(new LoadBalancerStatusBuilder()
                        .withIngress(new LoadBalancerIngressBuilder().withIp(a[3]).build()).build()).build());
                c.services().inNamespace(a[1]).resource(s).updateStatus();
                yield a[2];
            }
            case "lease" -> { // lease NS NAME -> holder or "-"
                Lease l = c.leases().inNamespace(a[1]).withName(a[2]).get();
                yield l == null || l.getSpec() == null || l.getSpec().getHolderIdentity() == null
                        ? "-" : l.getSpec().getHolderIdentity();
            }
            case "leases" -> // leases NS -> name=holder,name=holder
                    c.leases().inNamespace(a[1]).list().getItems().stream()
                            .map(l -> l.getMetadata().getName() + "="
                                    + (l.getSpec() == null || l.getSpec().getHolderIdentity() == null
                                    ? "-" : l.getSpec().getHolderIdentity()))
                            .sorted().collect(Collectors.joining(","));
            default -> throw new IllegalArgumentException("unknown command " + a[0]);
        };
    }

    /** A Node with condition Ready=True (written through /status: the mock drops status on create). */
    static void createReadyNode(KubernetesClient c, String name, Map<String, String> labels) {
        Map<String, String> all = new HashMap<>(labels);
        all.put("kubernetes.io/hostname", name);
        Node n = c.nodes().resource(new NodeBuilder().withNewMetadata().withName(name).withLabels(all).endMetadata()
                .build()).createOr(op -> op.update());
        n.setStatus(new NodeStatusBuilder().addNewCondition().withType("Ready").withStatus("True")
                .withReason("KubeletReady").endCondition().build());
        c.nodes().resource(n).updateStatus();
    }

    private static String decode(String b64) {
        return new String(Base64.getDecoder().decode(b64), StandardCharsets.UTF_8);
    }
}
