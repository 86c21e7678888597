package dev.l2announcer.demo.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * {@code /openapi/v2}: the definitions kubectl validates {@code apply}/{@code create} input against
 * (client-side validation, kubectl 1.20 always, 1.32 when the server lacks server-side field
 * validation, as here). It carries the schema of every served custom resource, converted from the CRD's
 * openAPIV3Schema as apiextensions-apiserver publishes it, tagged with
 * {@code x-kubernetes-group-version-kind}. Built-in kinds carry no schema: kubectl accepts kinds the
 * document does not describe, so they are checked only by decoding. kubectl reads the document as
 * protobuf (gnostic's {@code openapi.v2.Document}); {@link #protobuf} encodes that.
 */
final class OpenApiV2 {
    /** Content type of the protobuf answer (kubectl asks for {@code ...spec.v2@v1.0+protobuf}, which Go cannot parse back). */
    static final String PROTOBUF = "application/com.github.proto-openapi.spec.v2.v1.0+protobuf";
    private static final String GVK = "x-kubernetes-group-version-kind";

    private OpenApiV2() {
    }

    static ObjectNode document(List<ApiResource> resources) {
        ObjectNode doc = Json.object();
        doc.put("swagger", "2.0");
        doc.putObject("info").put("title", "Kubernetes").put("version", Discovery.KUBERNETES_VERSION);
        doc.putObject("paths");
        ObjectNode defs = doc.putObject("definitions");
        for (ApiResource r : resources) {
            if (r.schema() == null || r.schema().isMissingNode()) {
                continue;
            }
            ObjectNode schema = schema(r.schema());
            ArrayNode gvk = schema.putArray(GVK);
            gvk.addObject().put("group", r.group()).put("kind", r.kind()).put("version", r.version());
            defs.set(definitionName(r), schema);
        }
        return doc;
    }

    /** {@code io.cilium.v2alpha1.CiliumL2AnnouncementPolicy}: the group reversed, version, kind. */
    static String definitionName(ApiResource r) {
        List<String> parts = new java.util.ArrayList<>(List.of(r.group().split("\\.")));
        java.util.Collections.reverse(parts);
        return String.join(".", parts) + "." + r.version() + "." + r.kind();
    }

    /** The OpenAPI v2 subset of a structural v3 schema (what kubectl's validation reads). */
    private static ObjectNode schema(JsonNode v3) {
        ObjectNode s = Json.object();
        for (String key : List.of("description", "type", "format", "pattern", "maxLength", "required", "enum")) {
            if (v3.has(key)) {
                s.set(key, v3.get(key).deepCopy());
            }
        }
        if (v3.path("x-kubernetes-preserve-unknown-fields").asBoolean()) {
            s.remove("type"); // any value: v2 has no "object with unknown fields"
            return s;
        }
        if (v3.has("properties")) {
            ObjectNode props = s.putObject("properties");
            v3.path("properties").fields().forEachRemaining(e -> props.set(e.getKey(), schema(e.getValue())));
        }
        if (v3.has("items")) {
            s.set("items", schema(v3.path("items")));
        }
        if (v3.path("additionalProperties").isObject()) {
            s.set("additionalProperties", schema(v3.path("additionalProperties")));
        } else if (v3.path("additionalProperties").isBoolean()) {
            s.put("additionalProperties", v3.path("additionalProperties").asBoolean());
        }
        return s;
    }

    /** The document as gnostic's {@code openapi.v2.Document} protobuf (only the fields used here). */
    static byte[] protobuf(ObjectNode doc) {
        Proto d = new Proto();
        d.string(1, doc.path("swagger").asText());
        d.message(2, new Proto().string(1, doc.path("info").path("title").asText())
                .string(2, doc.path("info").path("version").asText()));
        Proto defs = new Proto();
        doc.path("definitions").fields().forEachRemaining(e ->
                defs.message(1, new Proto().string(1, e.getKey()).message(2, schemaProto(e.getValue()))));
        d.message(9, defs);
        return d.bytes();
    }

    private static Proto schemaProto(JsonNode s) {
        Proto p = new Proto();
        if (s.has("format")) p.string(2, s.path("format").asText());
        if (s.has("description")) p.string(4, s.path("description").asText());
        if (s.has("maxLength")) p.varint(11, s.path("maxLength").asLong());
        if (s.has("pattern")) p.string(13, s.path("pattern").asText());
        s.path("required").forEach(r -> p.string(19, r.asText()));
        s.path("enum").forEach(e -> p.message(20, new Proto().string(2, Json.write(e))));
        if (s.path("additionalProperties").isObject()) {
            p.message(21, new Proto().message(1, schemaProto(s.path("additionalProperties"))));
        } else if (s.path("additionalProperties").isBoolean()) {
            p.message(21, new Proto().varint(2, s.path("additionalProperties").asBoolean() ? 1 : 0));
        }
        if (s.has("type")) p.message(22, new Proto().string(1, s.path("type").asText()));
        if (s.has("items")) p.message(23, new Proto().message(1, schemaProto(s.path("items"))));
        if (s.has("properties")) {
            Proto props = new Proto();
            for (Iterator<Map.Entry<String, JsonNode>> it = s.path("properties").fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                props.message(1, new Proto().string(1, e.getKey()).message(2, schemaProto(e.getValue())));
            }
            p.message(25, props);
        }
        if (s.has(GVK)) {
            // Vendor extensions carry their value as YAML; JSON is YAML.
            p.message(31, new Proto().string(1, GVK).message(2, new Proto().string(2, Json.write(s.path(GVK)))));
        }
        return p;
    }

    /** A protobuf message writer: varint and length-delimited fields, in call order. */
    static final class Proto {
        private final ByteArrayOutputStream out = new ByteArrayOutputStream();

        Proto varint(int field, long value) {
            raw((long) field << 3);
            raw(value);
            return this;
        }

        Proto string(int field, String value) {
            return bytes(field, value.getBytes(StandardCharsets.UTF_8));
        }

        Proto message(int field, Proto message) {
            return bytes(field, message.bytes());
        }

        private Proto bytes(int field, byte[] value) {
            raw(((long) field << 3) | 2);
            raw(value.length);
            out.writeBytes(value);
            return this;
        }

        private void raw(long v) {
            while ((v & ~0x7FL) != 0) {
                out.write((int) ((v & 0x7F) | 0x80));
                v >>>= 7;
            }
            out.write((int) v);
        }

        byte[] bytes() {
            return out.toByteArray();
        }
    }
}
