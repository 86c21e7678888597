package dev.l2announcer.demo.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * What kube-apiserver fills in on a new Service (defaulting and the ClusterIP allocator), so that
 * {@code kubectl get}/{@code describe} show what a cluster shows. ClusterIPs come from 198.51.100.0/24,
 * a documentation range: they are data here, never routed.
 */
final class Services {
    private Services() {
    }

    /** Sequential ClusterIPs 198.51.100.1 .. .254, then around again. Used on the dispatcher's thread. */
    static final class ClusterIps {
        private int next = 1;

        synchronized String allocate() {
            String ip = "198.51.100." + next;
            next = next % 254 + 1;
            return ip;
        }
    }

    static JsonNode withDefaults(JsonNode service, ClusterIps ips) {
        if (!service.path("spec").isObject()) {
            return service;
        }
        ObjectNode spec = (ObjectNode) service.path("spec");
        String type = Json.text(spec, "ClusterIP", "type");
        spec.put("type", type);
        putIfAbsent(spec, "sessionAffinity", "None");
        if (!type.equals("ExternalName")) {
            if (!spec.hasNonNull("clusterIP") || spec.path("clusterIP").asText().isEmpty()) {
                spec.put("clusterIP", ips.allocate());
            }
            if (!spec.has("clusterIPs")) {
                spec.putArray("clusterIPs").add(spec.path("clusterIP").asText());
            }
            if (!spec.has("ipFamilies")) {
                spec.putArray("ipFamilies").add("IPv4");
            }
            putIfAbsent(spec, "ipFamilyPolicy", "SingleStack");
            putIfAbsent(spec, "internalTrafficPolicy", "Cluster");
        }
        for (JsonNode port : spec.path("ports")) {
            if (port instanceof ObjectNode p) {
                putIfAbsent(p, "protocol", "TCP");
                if (!p.has("targetPort")) {
                    p.set("targetPort", p.path("port"));
                }
            }
        }
        return service;
    }

    private static void putIfAbsent(ObjectNode o, String field, String value) {
        if (!o.hasNonNull(field)) {
            o.put(field, value);
        }
    }
}
