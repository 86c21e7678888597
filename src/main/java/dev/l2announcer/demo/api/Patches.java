package dev.l2announcer.demo.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.util.HashSet;
import java.util.Iterator;
import java.util.Map;
import java.util.Set;

/**
 * The patches kubectl sends, applied as kube-apiserver applies them: JSON merge patch (RFC 7386;
 * {@code kubectl label}, {@code annotate}, {@code apply} of custom resources) and strategic merge patch
 * ({@code kubectl apply} of built-in kinds): maps merge, lists of the kinds' merge-keyed fields merge by
 * key, other lists are replaced, and the directives {@code $patch}, {@code $retainKeys},
 * {@code $setElementOrder/} and {@code $deleteFromPrimitiveList/} are honoured.
 */
final class Patches {
    /** patchMergeKey of the list fields of the built-in kinds served (paths without list indices). */
    private static final Map<String, String> MERGE_KEYS = Map.ofEntries(
            Map.entry("metadata.ownerReferences", "uid"),
            Map.entry("spec.ports", "port"),
            Map.entry("spec.containers", "name"), Map.entry("spec.initContainers", "name"),
            Map.entry("spec.volumes", "name"), Map.entry("spec.containers.ports", "containerPort"),
            Map.entry("spec.containers.env", "name"), Map.entry("spec.containers.volumeMounts", "mountPath"),
            Map.entry("spec.taints", "key"), Map.entry("status.conditions", "type"),
            Map.entry("status.addresses", "type"));
    /** Lists of scalars that strategic merge patch merges as sets. */
    private static final Set<String> SET_LISTS = Set.of("metadata.finalizers");

    private Patches() {
    }

    /** RFC 7386: objects merge recursively, null removes, anything else replaces. */
    static JsonNode merge(JsonNode target, JsonNode patch) {
        if (!patch.isObject()) {
            return patch.deepCopy();
        }
        ObjectNode result = target != null && target.isObject() ? (ObjectNode) target.deepCopy() : Json.object();
        patch.fields().forEachRemaining(e -> {
            if (e.getValue().isNull()) {
                result.remove(e.getKey());
            } else {
                result.set(e.getKey(), merge(result.get(e.getKey()), e.getValue()));
            }
        });
        return result;
    }

    static JsonNode strategicMerge(JsonNode target, JsonNode patch) {
        return strategic(target, patch, "");
    }

    private static JsonNode strategic(JsonNode target, JsonNode patch, String path) {
        if (!patch.isObject()) {
            return patch.deepCopy();
        }
        String directive = patch.path("$patch").asText("");
        if (directive.equals("replace")) {
            ObjectNode copy = (ObjectNode) patch.deepCopy();
            copy.remove("$patch");
            return copy;
        }
        ObjectNode result = target != null && target.isObject() ? (ObjectNode) target.deepCopy() : Json.object();
        for (Iterator<Map.Entry<String, JsonNode>> it = patch.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            String key = e.getKey();
            JsonNode value = e.getValue();
            String child = path.isEmpty() ? key : path + "." + key;
            if (key.equals("$patch") || key.equals("$retainKeys") || key.startsWith("$setElementOrder/")) {
                continue; // $setElementOrder only orders; kept lists stay in their stored order
            }
            if (key.startsWith("$deleteFromPrimitiveList/")) {
                String field = key.substring("$deleteFromPrimitiveList/".length());
                Set<JsonNode> drop = new HashSet<>();
                value.forEach(drop::add);
                ArrayNode kept = Json.MAPPER.createArrayNode();
                result.path(field).forEach(v -> {
                    if (!drop.contains(v)) {
                        kept.add(v);
                    }
                });
                result.set(field, kept);
            } else if (value.isNull()) {
                result.remove(key);
            } else if (value.isArray() && MERGE_KEYS.containsKey(child)) {
                result.set(key, mergeByKey(result.get(key), (ArrayNode) value, MERGE_KEYS.get(child), child));
            } else if (value.isArray() && SET_LISTS.contains(child)) {
                ArrayNode union = result.path(key).isArray() ? (ArrayNode) result.get(key).deepCopy()
                        : Json.MAPPER.createArrayNode();
                value.forEach(v -> {
                    if (!contains(union, v)) {
                        union.add(v);
                    }
                });
                result.set(key, union);
            } else if (value.isObject()) {
                if (value.path("$patch").asText("").equals("delete")) {
                    result.remove(key);
                } else {
                    result.set(key, strategic(result.get(key), value, child));
                }
            } else {
                result.set(key, value.deepCopy());
            }
        }
        if (patch.path("$retainKeys").isArray()) {
            Set<String> retain = new HashSet<>();
            patch.path("$retainKeys").forEach(k -> retain.add(k.asText()));
            result.properties().removeIf(f -> !retain.contains(f.getKey()));
        }
        return result;
    }

    private static ArrayNode mergeByKey(JsonNode target, ArrayNode patch, String mergeKey, String path) {
        ArrayNode result = target != null && target.isArray() ? (ArrayNode) target.deepCopy() : Json.MAPPER.createArrayNode();
        for (JsonNode element : patch) {
            if (element.path("$patch").asText("").equals("replace")) {
                ArrayNode replaced = Json.MAPPER.createArrayNode();
                patch.forEach(p -> {
                    if (!p.path("$patch").asText("").equals("replace")) {
                        replaced.add(p.deepCopy());
                    }
                });
                return replaced;
            }
        }
        for (JsonNode element : patch) {
            JsonNode key = element.path(mergeKey);
            int at = -1;
            for (int i = 0; i < result.size(); i++) {
                if (result.get(i).path(mergeKey).equals(key)) {
                    at = i;
                }
            }
            if (element.path("$patch").asText("").equals("delete")) {
                if (at >= 0) {
                    result.remove(at);
                }
            } else if (at >= 0) {
                result.set(at, strategic(result.get(at), element, path));
            } else {
                result.add(strategic(null, element, path));
            }
        }
        return result;
    }

    private static boolean contains(ArrayNode array, JsonNode value) {
        for (JsonNode v : array) {
            if (v.equals(value)) {
                return true;
            }
        }
        return false;
    }
}
