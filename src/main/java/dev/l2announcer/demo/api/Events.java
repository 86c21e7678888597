package dev.l2announcer.demo.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.time.Instant;
import java.util.Locale;
import java.util.Map;

/**
 * The two views of one event store, as kube-apiserver keeps them: {@code events.k8s.io/v1} (what the
 * agent writes) and core {@code v1} (what {@code kubectl describe} reads, with field selectors on
 * {@code involvedObject.*}). Field names map as in Kubernetes' own conversion (regarding =
 * involvedObject, note = message, deprecated* = the core fields).
 */
final class Events {
    private static final Map<String, String> V1_TO_CORE = Map.of(
            "regarding", "involvedObject", "note", "message", "deprecatedSource", "source",
            "deprecatedFirstTimestamp", "firstTimestamp", "deprecatedLastTimestamp", "lastTimestamp",
            "deprecatedCount", "count", "reportingController", "reportingComponent");
    private static final Map<String, String> CORE_TO_V1 = V1_TO_CORE.entrySet().stream()
            .collect(java.util.stream.Collectors.toMap(Map.Entry::getValue, Map.Entry::getKey));

    private Events() {
    }

    /** An events.k8s.io/v1 Event as core/v1 shows it. */
    static ObjectNode toCore(JsonNode event) {
        return renamed(event, "v1", V1_TO_CORE);
    }

    /** A core/v1 Event as events.k8s.io/v1 shows it. */
    static ObjectNode toEventsV1(JsonNode core) {
        return renamed(core, "events.k8s.io/v1", CORE_TO_V1);
    }

    private static ObjectNode renamed(JsonNode event, String apiVersion, Map<String, String> names) {
        ObjectNode out = Json.object();
        out.put("apiVersion", apiVersion);
        out.put("kind", "Event");
        event.fields().forEachRemaining(e -> {
            if (!e.getKey().equals("apiVersion") && !e.getKey().equals("kind")) {
                out.set(names.getOrDefault(e.getKey(), e.getKey()), e.getValue().deepCopy());
            }
        });
        return out;
    }

    /**
     * Whether a core/v1 event matches a field selector ({@code a=b,c!=d}) on the fields kube-apiserver
     * indexes for events: metadata.name/namespace, involvedObject.*, reason, type, source,
     * reportingComponent.
     */
    static boolean matches(JsonNode core, String fieldSelector) {
        if (fieldSelector == null || fieldSelector.isBlank()) {
            return true;
        }
        for (String requirement : fieldSelector.split(",")) {
            boolean negated = requirement.contains("!=");
            String[] kv = requirement.split(negated ? "!=" : "==?", 2);
            String want = kv.length > 1 ? kv[1] : "";
            String have = field(core, kv[0].trim());
            if (have.equals(want) == negated) {
                return false;
            }
        }
        return true;
    }

    private static String field(JsonNode core, String name) {
        if (name.equals("source")) {
            return Json.text(core, "", "source", "component");
        }
        JsonNode n = core;
        for (String p : name.split("\\.")) {
            n = n.path(p);
        }
        return n.isValueNode() ? n.asText() : "";
    }

    /** {@code kind/name} of the object an event is about (either view), as kubectl prints it. */
    static String objectRef(JsonNode event) {
        JsonNode ref = event.has("regarding") ? event.path("regarding") : event.path("involvedObject");
        return ref.path("kind").asText().toLowerCase(Locale.ROOT) + "/" + ref.path("name").asText();
    }

    static String message(JsonNode event) {
        return event.has("note") ? event.path("note").asText() : event.path("message").asText();
    }

    /** Time since the event was last seen (series, last timestamp, event time, creation), either view. */
    static String lastSeen(JsonNode event) {
        for (String[] path : new String[][]{{"series", "lastObservedTime"}, {"deprecatedLastTimestamp"},
                {"lastTimestamp"}, {"eventTime"}, {"metadata", "creationTimestamp"}}) {
            String t = Json.text(event, "", path);
            if (!t.isEmpty()) {
                return Tables.since(t, Instant.now());
            }
        }
        return "<unknown>";
    }
}
