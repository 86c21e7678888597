package dev.l2announcer.demo.api;

import com.fasterxml.jackson.databind.JsonNode;
import dev.l2announcer.demo.api.ApiResource.Column;

import java.util.ArrayList;
import java.util.List;

/**
 * What a CustomResourceDefinition makes the API serve, as apiextensions-apiserver derives it: one
 * resource per served version with the CRD's names, scope, status subresource, schema and
 * additionalPrinterColumns (Name first, then the CRD's columns; Name and Age when it defines none).
 */
final class CustomResources {
    private CustomResources() {
    }

    static List<ApiResource> of(JsonNode crd) {
        JsonNode spec = crd.path("spec");
        JsonNode names = spec.path("names");
        List<ApiResource> served = new ArrayList<>();
        for (JsonNode v : spec.path("versions")) {
            if (v.has("served") && !v.path("served").asBoolean()) {
                continue;
            }
            List<Column> columns = new ArrayList<>(List.of(BuiltInKinds.name()));
            for (JsonNode c : v.path("additionalPrinterColumns")) {
                String path = c.path("jsonPath").asText();
                columns.add(new Column(c.path("name").asText(), Json.text(c, "string", "type"), Json.text(c, "", "format"),
                        Json.text(c, "Custom resource definition column (in JSONPath format): " + path, "description"),
                        c.path("priority").asInt(0), o -> JsonPathValue.of(o, path)));
            }
            if (columns.size() == 1) {
                columns.add(BuiltInKinds.age());
            }
            served.add(new ApiResource(spec.path("group").asText(), v.path("name").asText(), names.path("plural").asText(),
                    Json.text(names, names.path("kind").asText().toLowerCase(java.util.Locale.ROOT), "singular"),
                    names.path("kind").asText(), spec.path("scope").asText().equals("Namespaced"),
                    strings(names.path("shortNames")), strings(names.path("categories")), ApiResource.ALL_VERBS,
                    v.path("subresources").has("status"), List.copyOf(columns),
                    v.path("schema").path("openAPIV3Schema")));
        }
        return served;
    }

    private static List<String> strings(JsonNode array) {
        List<String> out = new ArrayList<>();
        array.forEach(s -> out.add(s.asText()));
        return List.copyOf(out);
    }

    /**
     * The simple JSONPath subset printer columns use: {@code .a.b}, {@code .a[0].b} and
     * {@code .a[?(@.type=="X")].b}; the first match, or null.
     */
    static final class JsonPathValue {
        private JsonPathValue() {
        }

        static Object of(JsonNode object, String path) {
            JsonNode n = object;
            for (String step : path.replaceFirst("^\\{?\\.", "").replaceFirst("}$", "").split("\\.(?![^\\[]*])")) {
                String field = step.contains("[") ? step.substring(0, step.indexOf('[')) : step;
                if (!field.isEmpty()) {
                    n = n.path(field);
                }
                if (step.contains("[")) {
                    String index = step.substring(step.indexOf('[') + 1, step.lastIndexOf(']'));
                    n = index.startsWith("?(@.") ? filter(n, index) : n.path(Integer.parseInt(index));
                }
                if (n.isMissingNode()) {
                    return null;
                }
            }
            return n.isValueNode() ? (n.isNumber() ? n.numberValue() : n.isBoolean() ? n.booleanValue() : n.asText())
                    : Json.write(n);
        }

        private static JsonNode filter(JsonNode array, String expression) {
            String[] kv = expression.substring(4, expression.length() - 1).split("==", 2);
            String want = kv[1].replaceAll("^[\"']|[\"']$", "");
            for (JsonNode e : array) {
                if (e.path(kv[0]).asText().equals(want)) {
                    return e;
                }
            }
            return com.fasterxml.jackson.databind.node.MissingNode.getInstance();
        }
    }
}
