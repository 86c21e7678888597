package dev.l2announcer.demo.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.List;

/**
 * Server-side printing ({@code Accept: application/json;as=Table;v=v1;g=meta.k8s.io}), what
 * {@code kubectl get} asks for: a {@code meta.k8s.io/v1} Table with the kind's columns, one row per
 * object, and the object itself as kube-apiserver sends it ({@code includeObject=Object|Metadata|None}).
 */
final class Tables {
    private Tables() {
    }

    /** Whether an Accept header asks for a Table (kubectl get does; kubectl describe and clients do not). */
    static boolean wanted(String accept) {
        return accept != null && accept.contains("as=Table");
    }

    static ObjectNode table(ApiResource type, List<JsonNode> objects, String resourceVersion, String includeObject,
                            Instant now) {
        ObjectNode t = Json.object();
        t.put("kind", "Table");
        t.put("apiVersion", "meta.k8s.io/v1");
        t.putObject("metadata").put("resourceVersion", resourceVersion);
        ArrayNode defs = t.putArray("columnDefinitions");
        for (ApiResource.Column c : type.columns()) {
            defs.addObject().put("name", c.name()).put("type", c.type()).put("format", c.format())
                    .put("description", c.description()).put("priority", c.priority());
        }
        ArrayNode rows = t.putArray("rows");
        for (JsonNode o : objects) {
            ObjectNode row = rows.addObject();
            ArrayNode cells = row.putArray("cells");
            for (ApiResource.Column c : type.columns()) {
                Object v = c.cell().apply(o);
                if (c.type().equals("date")) {
                    cells.add(v == null || v.toString().isEmpty() ? "<unknown>" : since(v.toString(), now));
                } else {
                    cells.addPOJO(v);
                }
            }
            switch (includeObject == null ? "Metadata" : includeObject) {
                case "None" -> { }
                case "Object" -> row.set("object", o);
                default -> {
                    ObjectNode partial = row.putObject("object");
                    partial.put("kind", "PartialObjectMetadata");
                    partial.put("apiVersion", "meta.k8s.io/v1");
                    partial.set("metadata", o.path("metadata"));
                }
            }
        }
        return t;
    }

    /** Human-readable time since an RFC 3339 timestamp, as kubectl's {@code AGE} column shows it. */
    static String since(String rfc3339, Instant now) {
        try {
            return human(Duration.between(OffsetDateTime.parse(rfc3339).toInstant(), now));
        } catch (DateTimeParseException e) {
            return "<invalid>";
        }
    }

    /** Kubernetes' {@code duration.HumanDuration}: 45s, 3m20s, 15m, 5h20m, 20h, 3d4h, 120d, 3y10d. */
    static String human(Duration d) {
        long seconds = d.toSeconds();
        if (seconds < -1) {
            return "<invalid>";
        } else if (seconds < 0) {
            return "0s";
        } else if (seconds < 120) {
            return seconds + "s";
        }
        long minutes = d.toMinutes();
        if (minutes < 10) {
            return seconds % 60 == 0 ? minutes + "m" : minutes + "m" + seconds % 60 + "s";
        } else if (minutes < 180) {
            return minutes + "m";
        }
        long hours = d.toHours();
        if (hours < 8) {
            return minutes % 60 == 0 ? hours + "h" : hours + "h" + minutes % 60 + "m";
        } else if (hours < 48) {
            return hours + "h";
        } else if (hours < 24 * 8) {
            return hours % 24 == 0 ? hours / 24 + "d" : hours / 24 + "d" + hours % 24 + "h";
        } else if (hours < 24 * 365 * 2) {
            return hours / 24 + "d";
        } else if (hours < 24 * 365 * 8) {
            long days = (hours / 24) % 365;
            return days == 0 ? hours / 24 / 365 + "y" : hours / 24 / 365 + "y" + days + "d";
        }
        return hours / 24 / 365 + "y";
    }
}
