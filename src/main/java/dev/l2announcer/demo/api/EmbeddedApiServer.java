package dev.l2announcer.demo.api;

import dev.l2announcer.policy.CiliumL2AnnouncementPolicy;
import io.fabric8.kubernetes.api.model.LoadBalancerIngressBuilder;
import io.fabric8.kubernetes.api.model.LoadBalancerStatusBuilder;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.NodeStatusBuilder;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceStatusBuilder;
import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.logging.Level;
import java.util.logging.Logger;
import java.util.stream.Collectors;

/**
 * The demo's Kubernetes API: {@link KubectlDispatcher} on plain HTTP, with the given CRDs installed and
 * the namespaces a cluster starts with. In-process ({@link #start}) for the simulated demo and tests,
 * or as its own process ({@code java -jar quarkus-run.jar demo-api HOST PORT CRD...}) inside the demo's
 * API network namespace, driven through a line protocol on stdin: one command per line, one answer line
 * ({@code OK ...} or {@code ERR ...}) on stdout; payloads are base64 so they fit one line.
 */
public final class EmbeddedApiServer implements AutoCloseable {
    /** The namespaces kube-apiserver creates. */
    static final List<String> SYSTEM_NAMESPACES = List.of("default", "kube-system", "kube-public", "kube-node-lease");
    // The mock web server logs every request at INFO; keep the loggers (JUL holds them weakly).
    private static final List<Logger> QUIET = List.of(Logger.getLogger("io.fabric8.mockwebserver"),
            Logger.getLogger("io.fabric8.kubernetes.client.server.mock"));

    private final KubernetesMockServer server;

    private EmbeddedApiServer(KubernetesMockServer server) {
        this.server = server;
    }

    /** Starts the API on {@code host:port} (0: any free port) with the CRDs in {@code crdFiles}. */
    public static EmbeddedApiServer start(InetAddress host, int port, List<Path> crdFiles) {
        QUIET.forEach(l -> l.setLevel(Level.WARNING));
        KubernetesMockServer server = new KubernetesMockServer(new Context(), new MockWebServer(), new HashMap<>(),
                new KubectlDispatcher(), false);
        server.init(host, port);
        EmbeddedApiServer api = new EmbeddedApiServer(server);
        try (KubernetesClient c = api.client()) {
            SYSTEM_NAMESPACES.forEach(ns -> c.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName(ns)
                    .endMetadata().withNewStatus().withPhase("Active").endStatus().build()).create());
            for (Path f : crdFiles) {
                c.resource(read(f)).create();
            }
        } catch (RuntimeException e) {
            server.destroy();
            throw e;
        }
        return api;
    }

    private static String read(Path f) {
        try {
            return Files.readString(f);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read CRD " + f, e);
        }
    }

    /** http://host:port */
    public String url() {
        return server.url("/").replaceFirst("/$", "");
    }

    public int port() {
        return server.getPort();
    }

    /** A new client of this API (the caller closes it). */
    public KubernetesClient client() {
        return server.createClient();
    }

    @Override
    public void close() {
        server.destroy();
    }

    /** {@code demo-api HOST PORT CRD_FILE...}: serves until stdin ends or says {@code quit}. */
    public static void main(String[] args) throws Exception {
        String host = args.length > 0 ? args[0] : "127.0.0.1";
        int port = args.length > 1 ? Integer.parseInt(args[1]) : 6443;
        List<Path> crds = new ArrayList<>();
        for (int i = 2; i < args.length; i++) {
            crds.add(Path.of(args[i]));
        }
        PrintStream out = new PrintStream(System.out, true, StandardCharsets.UTF_8);
        try (EmbeddedApiServer api = start(InetAddress.getByName(host), port, crds);
             KubernetesClient client = api.client()) {
            out.println("READY " + api.url());
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
        }
    }

    /**
     * A foreign writer that does not care who holds the Lease: read, overwrite holder and times, write; a renewal
     * that slipped in between (409) makes it read and write again, as a retrying client would. {@code afterRead}
     * runs between the read and the write (tests slip a renewal in there).
     */
    static void writeLeaseHolder(KubernetesClient c, String namespace, String name, String holder, int seconds,
                                 Runnable afterRead) {
        for (int attempt = 1; ; attempt++) {
            Lease l = c.leases().inNamespace(namespace).withName(name).get();
            afterRead.run();
            if (l == null) {
                throw new IllegalArgumentException("no Lease " + namespace + "/" + name);
            }
            java.time.ZonedDateTime now = java.time.ZonedDateTime.now(java.time.ZoneOffset.UTC);
            l.getSpec().setHolderIdentity(holder);
            l.getSpec().setLeaseDurationSeconds(seconds);
            l.getSpec().setAcquireTime(now);
            l.getSpec().setRenewTime(now);
            l.getSpec().setLeaseTransitions(l.getSpec().getLeaseTransitions() == null ? 1
                    : l.getSpec().getLeaseTransitions() + 1);
            try {
                c.leases().inNamespace(namespace).resource(l).update();
                return;
            } catch (io.fabric8.kubernetes.client.KubernetesClientException e) {
                if (e.getCode() != 409 || attempt >= 10) {
                    throw e;
                }
            }
        }
    }

    private static String handle(KubernetesClient c, String[] a) {
        return switch (a[0]) {
            case "ping" -> "pong";
            case "quit" -> "bye";
            case "node" -> { // node NAME [k=v,k=v [IP,IP]]
                Map<String, String> labels = new HashMap<>();
                if (a.length > 2 && !a[2].isEmpty()) {
                    for (String kv : a[2].split(",")) {
                        String[] p = kv.split("=", 2);
                        labels.put(p[0], p.length > 1 ? p[1] : "");
                    }
                }
                createReadyNode(c, a[1], labels, a.length > 3 ? List.of(a[3].split(",")) : List.of());
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
            case "service-lb-ip" -> { // service-lb-ip NS NAME IP[,IP]: what a LB IPAM would write to /status
                setLoadBalancerIp(c, a[1], a[2], a[3].split(","));
                yield a[2];
            }
            case "delete-service" -> { // delete-service NS NAME
                c.services().inNamespace(a[1]).withName(a[2]).delete();
                yield a[2];
            }
            case "delete-policy" -> { // delete-policy NAME
                c.resources(CiliumL2AnnouncementPolicy.class).withName(a[1]).delete();
                yield a[1];
            }
            case "lease-write" -> { // lease-write NS NAME HOLDER SECONDS: a foreign elector takes the Lease over
                writeLeaseHolder(c, a[1], a[2], a[3], Integer.parseInt(a[4]), () -> {});
                yield a[2];
            }
            case "lease" -> { // lease NS NAME -> holder or "-"
                Lease l = c.leases().inNamespace(a[1]).withName(a[2]).get();
                yield holder(l);
            }
            case "leases" -> // leases NS -> name=holder,name=holder
                    c.leases().inNamespace(a[1]).list().getItems().stream()
                            .map(l -> l.getMetadata().getName() + "=" + holder(l))
                            .sorted().collect(Collectors.joining(","));
            default -> throw new IllegalArgumentException("unknown command " + a[0]);
        };
    }

    /** The Lease's holder identity, or "-" when there is none (or no Lease). */
    public static String holder(Lease l) {
        return l == null || l.getSpec() == null || l.getSpec().getHolderIdentity() == null
                || l.getSpec().getHolderIdentity().isEmpty() ? "-" : l.getSpec().getHolderIdentity();
    }

    /** A Node with condition Ready=True (written through /status, as a kubelet does). */
    public static void createReadyNode(KubernetesClient c, String name, Map<String, String> labels) {
        createReadyNode(c, name, labels, List.of());
    }

    /**
     * As above, with {@code internalIps} as the Node's {@code InternalIP} addresses, as a kubelet reports them: the
     * agents reach each other there (node probes, the fast path's API-outage agreement).
     */
    public static void createReadyNode(KubernetesClient c, String name, Map<String, String> labels, List<String> internalIps) {
        Map<String, String> all = new HashMap<>(labels);
        all.put("kubernetes.io/hostname", name);
        Node n = c.nodes().resource(new NodeBuilder().withNewMetadata().withName(name).withLabels(all).endMetadata()
                .build()).createOr(op -> op.update());
        n.setStatus(new NodeStatusBuilder().addNewCondition().withType("Ready").withStatus("True")
                .withReason("KubeletReady").withMessage("kubelet is posting ready status").endCondition()
                .withNewNodeInfo().withKubeletVersion(Discovery.KUBERNETES_VERSION).endNodeInfo()
                .withAddresses(internalIps.stream().map(ip -> new io.fabric8.kubernetes.api.model.NodeAddress(ip, "InternalIP")).toList())
                .build());
        c.nodes().resource(n).updateStatus();
    }

    /**
     * Writes {@code status.loadBalancer.ingress[].ip} of a Service, one entry per IP, as a LB IPAM would (a
     * dual-stack Service gets one address of each family).
     */
    public static void setLoadBalancerIp(KubernetesClient c, String namespace, String name, String... ips) {
        Service s = c.services().inNamespace(namespace).withName(name).get();
        s.setStatus(new ServiceStatusBuilder().withLoadBalancer(new LoadBalancerStatusBuilder()
                .withIngress(java.util.Arrays.stream(ips).map(ip -> new LoadBalancerIngressBuilder().withIp(ip).build()).toList())
                .build()).build());
        c.services().inNamespace(namespace).resource(s).updateStatus();
    }

    private static String decode(String b64) {
        return new String(Base64.getDecoder().decode(b64), StandardCharsets.UTF_8);
    }
}
