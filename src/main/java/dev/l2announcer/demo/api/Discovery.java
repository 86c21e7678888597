package dev.l2announcer.demo.api;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Kubernetes API discovery as kubectl reads it (the unaggregated form, which kubectl 1.32 falls back
 * on and kubectl 1.20 only knows): {@code /version}, {@code /api}, {@code /apis}, {@code /apis/<group>},
 * {@code /api/v1} and {@code /apis/<group>/<version>}, built from the served resources.
 */
final class Discovery {
    /** The Kubernetes version whose API (kinds, discovery, tables) the embedded API mirrors. */
    static final String KUBERNETES_VERSION = "v1.32.0";

    private Discovery() {
    }

    static ObjectNode version() {
        ObjectNode v = Json.object();
        v.put("major", "1").put("minor", "32").put("gitVersion", KUBERNETES_VERSION + "+l2announcer-demo")
                .put("gitCommit", "").put("gitTreeState", "clean").put("buildDate", "2025-01-01T00:00:00Z")
                .put("goVersion", "").put("compiler", "java").put("platform", "linux/amd64");
        return v;
    }

    static ObjectNode coreVersions(String serverAddress) {
        ObjectNode v = Json.object();
        v.put("kind", "APIVersions");
        v.putArray("versions").add("v1");
        v.putArray("serverAddressByClientCIDRs").addObject().put("clientCIDR", "0.0.0.0/0").put("serverAddress", serverAddress);
        return v;
    }

    static ObjectNode groupList(List<ApiResource> resources) {
        ObjectNode list = Json.object();
        list.put("kind", "APIGroupList");
        list.put("apiVersion", "v1");
        ArrayNode groups = list.putArray("groups");
        versionsByGroup(resources).forEach((group, versions) -> {
            if (!group.isEmpty()) {
                groups.add(group(group, versions));
            }
        });
        return list;
    }

    static Optional<ObjectNode> group(List<ApiResource> resources, String group) {
        Set<String> versions = versionsByGroup(resources).get(group);
        if (versions == null || group.isEmpty()) {
            return Optional.empty();
        }
        ObjectNode g = group(group, versions);
        g.put("kind", "APIGroup");
        g.put("apiVersion", "v1");
        return Optional.of(g);
    }

    private static ObjectNode group(String group, Set<String> versions) {
        ObjectNode g = Json.object();
        g.put("name", group);
        ArrayNode vs = g.putArray("versions");
        versions.forEach(v -> vs.addObject().put("groupVersion", group + "/" + v).put("version", v));
        g.putObject("preferredVersion").put("groupVersion", group + "/" + versions.iterator().next())
                .put("version", versions.iterator().next());
        return g;
    }

    private static Map<String, Set<String>> versionsByGroup(List<ApiResource> resources) {
        Map<String, Set<String>> m = new LinkedHashMap<>();
        resources.forEach(r -> m.computeIfAbsent(r.group(), g -> new LinkedHashSet<>()).add(r.version()));
        return m;
    }

    /** {@code APIResourceList} of one group version, or empty when nothing is served there. */
    static Optional<ObjectNode> resourceList(List<ApiResource> resources, String group, String version) {
        List<ApiResource> in = resources.stream().filter(r -> r.group().equals(group) && r.version().equals(version)).toList();
        if (in.isEmpty()) {
            return Optional.empty();
        }
        ObjectNode list = Json.object();
        list.put("kind", "APIResourceList");
        list.put("apiVersion", "v1");
        list.put("groupVersion", in.getFirst().groupVersion());
        ArrayNode items = list.putArray("resources");
        for (ApiResource r : in) {
            ObjectNode o = items.addObject();
            o.put("name", r.plural()).put("singularName", r.singular()).put("namespaced", r.namespaced()).put("kind", r.kind());
            ArrayNode verbs = o.putArray("verbs");
            r.verbs().forEach(verbs::add);
            if (!r.shortNames().isEmpty()) {
                ArrayNode sn = o.putArray("shortNames");
                r.shortNames().forEach(sn::add);
            }
            if (!r.categories().isEmpty()) {
                ArrayNode cat = o.putArray("categories");
                r.categories().forEach(cat::add);
            }
            if (r.statusSubresource()) {
                ObjectNode s = items.addObject();
                s.put("name", r.plural() + "/status").put("singularName", "").put("namespaced", r.namespaced())
                        .put("kind", r.kind());
                s.putArray("verbs").add("get").add("patch").add("update");
            }
        }
        return Optional.of(list);
    }
}
