package dev.l2announcer.demo;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** The objects the e2e tests and the demo apply. */
final class Resources {
    private Resources() {
    }

    /**
     * Cilium's documentation example (Services labelled color=blue, non-control-plane nodes, eth*), read
     * from the shipped example so the tests apply exactly what users apply. Paths are relative to the
     * repository root, the working directory of both Maven and ./l2a.
     */
    static final Path POLICY_FILE = Path.of("deploy", "examples", "l2-announcement-policy.yaml");
    static final String POLICY = read(POLICY_FILE);

    /** The CRDs the embedded API installs: every file of the repository's crds/ (the one CRD we ship). */
    static final List<Path> CRD_FILES = List.of(Path.of("crds", "ciliuml2announcementpolicies.cilium.io.yaml"));

    private static String read(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            throw new UncheckedIOException("e2e resources are read from the repository root: " + file, e);
        }
    }

    /**
     * {@link #POLICY} with a mistake users make: an {@code In} requirement without values. The agent
     * reports it as condition io.cilium/bad-service-selector, in Kubernetes' own wording.
     */
    static String policyWithBadSelector() {
        String bad = POLICY.replace("""
                  serviceSelector:
                    matchLabels:
                      color: blue
                """, """
                  serviceSelector:
                    matchExpressions:
                      - key: color
                        operator: In   # values forgotten
                """);
        if (bad.equals(POLICY)) {
            throw new IllegalStateException(POLICY_FILE + " no longer selects color=blue with matchLabels");
        }
        return bad;
    }

    /**
     * A dual-stack LoadBalancer Service selected by {@link #POLICY} ({@code ipFamilies: [IPv4, IPv6]}); its two IPs
     * go to /status separately, as an LB IPAM writes them.
     */
    static String dualStackService(String name) {
        return """
                apiVersion: v1
                kind: Service
                metadata:
                  name: %s
                  namespace: default
                  labels:
                    color: blue
                spec:
                  type: LoadBalancer
                  ipFamilyPolicy: RequireDualStack
                  ipFamilies: [IPv4, IPv6]
                  externalTrafficPolicy: Cluster
                  selector:
                    app: %s
                  ports:
                    - name: http
                      protocol: TCP
                      port: 80
                      targetPort: 8080
                """.formatted(name, name);
    }

    /** A LoadBalancer Service selected by {@link #POLICY}; its IP goes to /status separately. */
    static String service(String name, String ip) {
        return """
                apiVersion: v1
                kind: Service
                metadata:
                  name: %s
                  namespace: default
                  labels:
                    color: blue
                spec:
                  type: LoadBalancer
                  loadBalancerIP: %s
                  externalTrafficPolicy: Cluster
                  selector:
                    app: %s
                  ports:
                    - name: http
                      protocol: TCP
                      port: 80
                      targetPort: 8080
                """.formatted(name, ip, name);
    }
}
