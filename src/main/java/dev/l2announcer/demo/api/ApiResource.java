package dev.l2announcer.demo.api;

import com.fasterxml.jackson.databind.JsonNode;

import java.util.List;
import java.util.function.Function;

/**
 * One resource type the embedded API serves, with what discovery, server-side tables and OpenAPI say
 * about it. {@code schema} is the CRD's openAPIV3Schema (null for built-in kinds, whose schemas the
 * embedded API does not publish).
 */
record ApiResource(String group, String version, String plural, String singular, String kind, boolean namespaced,
                   List<String> shortNames, List<String> categories, List<String> verbs, boolean statusSubresource,
                   List<Column> columns, JsonNode schema) {

    static final List<String> ALL_VERBS = List.of("create", "delete", "get", "list", "patch", "update", "watch");

    /** A column of {@code kubectl get}: what the API server's table printer shows for this kind. */
    record Column(String name, String type, String format, String description, int priority,
                  Function<JsonNode, Object> cell) {
        static Column of(String name, String description, Function<JsonNode, Object> cell) {
            return new Column(name, "string", "", description, 0, cell);
        }

        static Column wide(String name, String description, Function<JsonNode, Object> cell) {
            return new Column(name, "string", "", description, 1, cell);
        }
    }

    String groupVersion() {
        return group.isEmpty() ? version : group + "/" + version;
    }

    /** {@code plural} for the core group, {@code plural.group} otherwise (as in Status messages). */
    String qualifiedPlural() {
        return group.isEmpty() ? plural : plural + "." + group;
    }
}
