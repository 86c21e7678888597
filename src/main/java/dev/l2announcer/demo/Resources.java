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
    static final String POLICY = read(Path.of("deploy", "examples", "l2-announcement-policy.yaml"));

    /** The CRDs the embedded API installs: every file of the repository's crds/ (the one CRD we ship). */
    static final List<Path> CRD_FILES = List.of(Path.of("crds", "ciliuml2announcementpolicies.cilium.io.yaml"));

    private static String read(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            throw new UncheckedIOException("e2e resources are read from the repository root: " + file, e);
        }
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
