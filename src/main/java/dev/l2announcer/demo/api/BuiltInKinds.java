package dev.l2announcer.demo.api;

import com.fasterxml.jackson.databind.JsonNode;
import dev.l2announcer.demo.api.ApiResource.Column;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;

/**
 * The built-in kinds the agent and the demo use, described as kube-apiserver v1.32 describes them in
 * discovery (names, short names, categories, verbs) and in its table printers (the columns of
 * {@code kubectl get}, the same headers and cell rules).
 */
final class BuiltInKinds {
    private BuiltInKinds() {
    }

    static List<ApiResource> all() {
        List<ApiResource> r = new ArrayList<>();
        r.add(core("namespaces", "namespace", "Namespace", false, List.of("ns"), List.of(), true, List.of(
                name(), Column.of("Status", "The status of the namespace", o -> Json.text(o, "Active", "status", "phase")),
                age())));
        r.add(core("nodes", "node", "Node", false, List.of("no"), List.of(), true, List.of(
                name(), Column.of("Status", "The status of the node", BuiltInKinds::nodeStatus),
                Column.of("Roles", "The roles of the node", BuiltInKinds::nodeRoles), age(),
                Column.of("Version", "Kubelet Version reported by the node.",
                        o -> Json.text(o, "", "status", "nodeInfo", "kubeletVersion")),
                Column.wide("Internal-IP", "List of internal IPs in the node.", o -> nodeAddress(o, "InternalIP")),
                Column.wide("External-IP", "List of external IPs in the node.", o -> nodeAddress(o, "ExternalIP")))));
        r.add(core("pods", "pod", "Pod", true, List.of("po"), List.of("all"), true, List.of(
                name(), Column.of("Ready", "The aggregate readiness state of this pod for accepting traffic.", BuiltInKinds::podReady),
                Column.of("Status", "The aggregate status of the containers in this pod.",
                        o -> Json.text(o, "Pending", "status", "phase")),
                new Column("Restarts", "string", "", "The number of times the containers in this pod have been restarted.", 0,
                        BuiltInKinds::podRestarts), age(),
                Column.wide("IP", "The IP address assigned to the pod", o -> Json.text(o, "<none>", "status", "podIP")),
                Column.wide("Node", "The node the pod runs on", o -> Json.text(o, "<none>", "spec", "nodeName")))));
        r.add(core("services", "service", "Service", true, List.of("svc"), List.of("all"), true, List.of(
                name(), Column.of("Type", "The type of the service", o -> Json.text(o, "ClusterIP", "spec", "type")),
                Column.of("Cluster-IP", "The IP address of the service", o -> Json.text(o, "<none>", "spec", "clusterIP")),
                Column.of("External-IP", "The external IP addresses of the service", BuiltInKinds::serviceExternalIps),
                Column.of("Port(s)", "The ports of the service", BuiltInKinds::servicePorts), age(),
                Column.wide("Selector", "The label selector of the service", o -> labelMap(o.path("spec").path("selector"))))));
        r.add(core("endpoints", "endpoints", "Endpoints", true, List.of("ep"), List.of(), false, List.of(
                name(), Column.of("Endpoints", "The endpoints of the service", BuiltInKinds::endpoints), age())));
        r.add(core("events", "event", "Event", true, List.of("ev"), List.of(), false, eventColumns()));
        r.add(core("configmaps", "configmap", "ConfigMap", true, List.of("cm"), List.of(), false, List.of(
                name(), new Column("Data", "integer", "", "The number of keys in the config map", 0,
                        o -> o.path("data").size() + o.path("binaryData").size()), age())));
        r.add(kind("coordination.k8s.io", "v1", "leases", "lease", "Lease", true, List.of(), List.of(), false, List.of(
                name(), Column.of("Holder", "The holder of the lease", o -> Json.text(o, "", "spec", "holderIdentity")), age())));
        r.add(kind("discovery.k8s.io", "v1", "endpointslices", "endpointslice", "EndpointSlice", true, List.of(), List.of(),
                false, List.of(name(), Column.of("AddressType", "The type of addresses", o -> Json.text(o, "", "addressType")),
                        Column.of("Ports", "The ports of the slice", BuiltInKinds::slicePorts),
                        Column.of("Endpoints", "The addresses of the slice", BuiltInKinds::sliceAddresses), age())));
        r.add(kind("events.k8s.io", "v1", "events", "event", "Event", true, List.of("ev"), List.of(), false, eventColumns()));
        r.add(kind("apiextensions.k8s.io", "v1", "customresourcedefinitions", "customresourcedefinition",
                "CustomResourceDefinition", false, List.of("crd", "crds"), List.of("api-extensions"), true, List.of(
                        name(), new Column("Created At", "date", "", "When the CRD was created", 0,
                                o -> Json.text(o, "", "metadata", "creationTimestamp")))));
        r.add(new ApiResource("authorization.k8s.io", "v1", "selfsubjectaccessreviews", "selfsubjectaccessreview",
                "SelfSubjectAccessReview", false, List.of(), List.of(), List.of("create"), false, List.of(), null));
        return List.copyOf(r);
    }

    private static ApiResource core(String plural, String singular, String kind, boolean namespaced, List<String> shortNames,
                                    List<String> categories, boolean status, List<Column> columns) {
        return kind("", "v1", plural, singular, kind, namespaced, shortNames, categories, status, columns);
    }

    private static ApiResource kind(String group, String version, String plural, String singular, String kind,
                                    boolean namespaced, List<String> shortNames, List<String> categories, boolean status,
                                    List<Column> columns) {
        return new ApiResource(group, version, plural, singular, kind, namespaced, shortNames, categories,
                ApiResource.ALL_VERBS, status, columns, null);
    }

    static Column name() {
        return new Column("Name", "string", "name", "Name must be unique within a namespace.", 0,
                o -> Json.text(o, "", "metadata", "name"));
    }

    static Column age() {
        return new Column("Age", "date", "", "When the object was created.", 0,
                o -> Json.text(o, "", "metadata", "creationTimestamp"));
    }

    private static List<Column> eventColumns() {
        return List.of(new Column("Last Seen", "string", "", "Time since the event was last seen", 0, Events::lastSeen),
                Column.of("Type", "Normal or Warning", o -> Json.text(o, "", "type")),
                Column.of("Reason", "Why the event happened", o -> Json.text(o, "", "reason")),
                Column.of("Object", "The object the event is about", Events::objectRef),
                Column.of("Message", "What happened", o -> Events.message(o).strip()));
    }

    private static String nodeStatus(JsonNode node) {
        String ready = "Unknown";
        for (JsonNode c : node.path("status").path("conditions")) {
            if (c.path("type").asText().equals("Ready")) {
                ready = c.path("status").asText().equals("True") ? "Ready" : "NotReady";
            }
        }
        return node.path("spec").path("unschedulable").asBoolean() ? ready + ",SchedulingDisabled" : ready;
    }

    private static String nodeRoles(JsonNode node) {
        List<String> roles = new ArrayList<>();
        node.path("metadata").path("labels").fieldNames().forEachRemaining(k -> {
            if (k.startsWith("node-role.kubernetes.io/")) {
                roles.add(k.substring("node-role.kubernetes.io/".length()));
            }
        });
        return roles.isEmpty() ? "<none>" : String.join(",", roles.stream().sorted().toList());
    }

    private static String nodeAddress(JsonNode node, String type) {
        List<String> ips = new ArrayList<>();
        for (JsonNode a : node.path("status").path("addresses")) {
            if (a.path("type").asText().equals(type)) {
                ips.add(a.path("address").asText());
            }
        }
        return ips.isEmpty() ? "<none>" : String.join(",", ips);
    }

    private static String podReady(JsonNode pod) {
        int total = pod.path("spec").path("containers").size();
        int ready = 0;
        for (JsonNode s : pod.path("status").path("containerStatuses")) {
            if (s.path("ready").asBoolean()) {
                ready++;
            }
        }
        return ready + "/" + total;
    }

    private static long podRestarts(JsonNode pod) {
        long n = 0;
        for (JsonNode s : pod.path("status").path("containerStatuses")) {
            n += s.path("restartCount").asLong();
        }
        return n;
    }

    /** As kubectl's service printer: LB ingress IPs (or {@code <pending>}) after spec.externalIPs. */
    private static String serviceExternalIps(JsonNode svc) {
        List<String> ips = new ArrayList<>();
        svc.path("spec").path("externalIPs").forEach(ip -> ips.add(ip.asText()));
        String type = Json.text(svc, "ClusterIP", "spec", "type");
        if (type.equals("LoadBalancer")) {
            List<String> lb = new ArrayList<>();
            for (JsonNode i : svc.path("status").path("loadBalancer").path("ingress")) {
                lb.add(i.hasNonNull("ip") ? i.path("ip").asText() : i.path("hostname").asText());
            }
            ips.addAll(lb);
            if (lb.isEmpty()) {
                ips.add("<pending>");
            }
        }
        return ips.isEmpty() ? "<none>" : String.join(",", ips);
    }

    private static String servicePorts(JsonNode svc) {
        List<String> ports = new ArrayList<>();
        for (JsonNode p : svc.path("spec").path("ports")) {
            String protocol = Json.text(p, "TCP", "protocol");
            ports.add(p.path("port").asInt() + (p.path("nodePort").asInt() > 0 ? ":" + p.path("nodePort").asInt() : "")
                    + "/" + protocol);
        }
        return ports.isEmpty() ? "<none>" : String.join(",", ports);
    }

    private static String endpoints(JsonNode ep) {
        List<String> all = new ArrayList<>();
        for (JsonNode subset : ep.path("subsets")) {
            for (JsonNode a : subset.path("addresses")) {
                if (subset.path("ports").isEmpty()) {
                    all.add(a.path("ip").asText());
                }
                for (JsonNode p : subset.path("ports")) {
                    all.add(a.path("ip").asText() + ":" + p.path("port").asInt());
                }
            }
        }
        return all.isEmpty() ? "<none>" : String.join(",", all);
    }

    private static String slicePorts(JsonNode slice) {
        List<String> ports = new ArrayList<>();
        slice.path("ports").forEach(p -> ports.add(String.valueOf(p.path("port").asInt())));
        return ports.isEmpty() ? "<unset>" : String.join(",", ports);
    }

    private static String sliceAddresses(JsonNode slice) {
        List<String> all = new ArrayList<>();
        slice.path("endpoints").forEach(e -> e.path("addresses").forEach(a -> all.add(a.asText())));
        return all.isEmpty() ? "<unset>" : String.join(",", all);
    }

    /** {@code k=v,k=v} sorted by key, as kubectl prints selectors; {@code <none>} when empty. */
    static String labelMap(JsonNode map) {
        Map<String, String> sorted = new TreeMap<>();
        map.fields().forEachRemaining(e -> sorted.put(e.getKey(), e.getValue().asText()));
        return sorted.isEmpty() ? "<none>" : sorted.entrySet().stream().map(e -> e.getKey() + "=" + e.getValue())
                .collect(Collectors.joining(","));
    }
}
