package dev.l2announcer.e2e;

/** The objects the e2e tests and the demo apply (the policy is deploy/examples' policy1). */
final class Resources {
    private Resources() {
    }

    /** Cilium's documentation example: Services labelled color=blue, non-control-plane nodes, eth*. */
    static final String POLICY = """
            apiVersion: cilium.io/v2alpha1
            kind: CiliumL2AnnouncementPolicy
            metadata:
              name: policy1
            spec:
              serviceSelector:
                matchLabels:
                  color: blue
              nodeSelector:
                matchExpressions:
                  - key: node-role.kubernetes.io/control-plane
                    operator: DoesNotExist
              interfaces:
                - ^eth[0-9]+
              externalIPs: true
              loadBalancerIPs: true
            """;

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
