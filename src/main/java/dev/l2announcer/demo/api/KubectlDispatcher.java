package dev.l2announcer.demo.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.fabric8.mockwebserver.http.Buffer;
import io.fabric8.mockwebserver.dsl.HttpMethod;
import io.fabric8.mockwebserver.http.MockResponse;
import io.fabric8.mockwebserver.http.RecordedRequest;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The embedded API: fabric8's CRUD mock server (the store, resourceVersion conflicts and WebSocket
 * watches the agent's informers use, unchanged) behind what kubectl needs and the mock lacks:
 * discovery, {@code /openapi/v2}, server-side tables, core/v1 events as a view of the agent's
 * events.k8s.io/v1 events, merge and strategic merge patches with kube-apiserver's semantics,
 * Status bodies for errors, and an allowing authorizer for SelfSubjectAccessReviews (no RBAC here).
 * Requests are served one at a time by the mock's event loop; nothing here keeps state but the store.
 */
final class KubectlDispatcher extends KubernetesCrudDispatcher {
    private static final String JSON = "application/json";
    private static final String CRDS = "/apis/apiextensions.k8s.io/v1/customresourcedefinitions";
    private static final int PATCH_ATTEMPTS = 5;

    private volatile List<ApiResource> served;
    private final Services.ClusterIps clusterIps = new Services.ClusterIps();

    KubectlDispatcher() {
        super(List.of());
    }

    /** Built-in kinds plus every served version of every CRD in the store (recomputed when a CRD changes). */
    List<ApiResource> served() {
        List<ApiResource> s = served;
        if (s == null) {
            List<ApiResource> all = new ArrayList<>(BuiltInKinds.all());
            Json.parse(super.handleGet(CRDS).getBody().readUtf8()).path("items")
                    .forEach(crd -> all.addAll(CustomResources.of(crd)));
            s = List.copyOf(all);
            served = s;
        }
        return s;
    }

    @Override
    public void processEvent(String path, io.fabric8.mockwebserver.crud.AttributeSet pathAttributes,
                             io.fabric8.mockwebserver.crud.AttributeSet oldAttributes, GenericKubernetesResource resource,
                             String newState) {
        super.processEvent(path, pathAttributes, oldAttributes, resource, newState);
        if (path.startsWith(CRDS)) {
            served = null;
        }
    }

    @Override
    public MockResponse dispatch(RecordedRequest request) {
        String path = request.getPath();
        String bare = path.contains("?") ? path.substring(0, path.indexOf('?')) : path;
        boolean get = request.method() == HttpMethod.GET;
        if (get) {
            Optional<MockResponse> meta = metadata(bare, request);
            if (meta.isPresent()) {
                return meta.get();
            }
        }
        Optional<ApiPath> api = ApiPath.parse(path, served());
        if (api.isEmpty()) {
            return withJsonType(super.dispatch(request));
        }
        ApiPath a = api.get();
        if (get && a.watch() && !"websocket".equalsIgnoreCase(request.getHeader("Upgrade"))) {
            return status(405, "MethodNotAllowed", "this embedded API serves watches over WebSocket only "
                    + "(as fabric8 clients use them); kubectl get --watch is not supported here");
        }
        if (get && !a.watch() && a.name() == null && a.type().kind().equals("Event")) {
            return table(request, a, eventList(a));
        }
        if (request.method() == HttpMethod.PATCH && !isJsonPatch(request)) {
            return patch(request, a);
        }
        if (request.method() == HttpMethod.POST && a.type().kind().equals("Service") && a.name() == null) {
            request = withBody(request, Services.withDefaults(Json.parse(request.getUtf8Body()), clusterIps));
        }
        MockResponse r = super.dispatch(request);
        if (r.code() == 404 && (r.getBody() == null || r.getBody().size() == 0)) {
            return notFound(a);
        }
        return get && !a.watch() && r.code() == 200 ? table(request, a, r) : withJsonType(r);
    }

    private Optional<MockResponse> metadata(String bare, RecordedRequest request) {
        return switch (bare) {
            case "/version" -> Optional.of(json(200, Discovery.version()));
            case "/api" -> Optional.of(json(200, Discovery.coreVersions(Optional.ofNullable(request.getHeader("Host")).orElse(""))));
            case "/apis" -> Optional.of(json(200, Discovery.groupList(served())));
            case "/healthz", "/livez", "/readyz" -> Optional.of(new MockResponse().setResponseCode(200).setBody("ok"));
            case "/openapi/v2" -> Optional.of(openApi(request));
            default -> {
                String[] s = bare.replaceFirst("^/", "").split("/");
                if (s.length == 2 && s[0].equals("api")) {
                    yield Optional.of(found(Discovery.resourceList(served(), "", s[1])));
                } else if (s.length == 3 && s[0].equals("apis")) {
                    yield Optional.of(found(Discovery.resourceList(served(), s[1], s[2])));
                } else if (s.length == 2 && s[0].equals("apis")) {
                    yield Optional.of(found(Discovery.group(served(), s[1])));
                } else if (bare.startsWith("/openapi/")) {
                    // No OpenAPI v3: kubectl 1.32 then falls back on v2 for validation (and on its
                    // compiled-in types for strategic merge patches).
                    yield Optional.of(status(404, "NotFound", "the server could not find the requested resource"));
                }
                yield Optional.empty();
            }
        };
    }

    private MockResponse openApi(RecordedRequest request) {
        ObjectNode doc = OpenApiV2.document(served());
        String accept = Optional.ofNullable(request.getHeader("Accept")).orElse("");
        if (accept.contains("protobuf")) {
            return new MockResponse().setResponseCode(200).setHeader("Content-Type", OpenApiV2.PROTOBUF)
                    .setBody(OpenApiV2.protobuf(doc));
        }
        return json(200, doc);
    }

    /** core/v1 or events.k8s.io/v1 events of a namespace (or all), from both stored forms, field-selected. */
    private MockResponse eventList(ApiPath a) {
        boolean core = a.type().group().isEmpty();
        ObjectNode list = Json.object();
        list.put("apiVersion", a.type().groupVersion());
        list.put("kind", "EventList");
        ArrayNode items = list.putArray("items");
        String resourceVersion = "";
        for (ApiResource view : served().stream().filter(r -> r.kind().equals("Event")).toList()) {
            JsonNode stored = Json.parse(super.handleGet(new ApiPath(view, null, null, null, Map.of())
                    .collectionPath(a.namespace())).getBody().readUtf8());
            resourceVersion = stored.path("metadata").path("resourceVersion").asText(resourceVersion);
            boolean storedCore = view.group().isEmpty();
            for (JsonNode e : stored.path("items")) {
                if (!e.path("apiVersion").asText().equals(view.groupVersion())) {
                    continue; // the mock's core path also matches events.k8s.io objects
                }
                JsonNode asCore = storedCore ? e : Events.toCore(e);
                if (Events.matches(asCore, a.query().get("fieldSelector"))) {
                    items.add(core ? asCore : storedCore ? Events.toEventsV1(e) : e);
                }
            }
        }
        list.putObject("metadata").put("resourceVersion", resourceVersion);
        return json(200, list);
    }

    /**
     * Merge and strategic merge patches: computed here from the stored object and written back as a
     * PUT carrying the stored resourceVersion (or the patch's own, which then must match), so a
     * concurrent write shows as a conflict and is retried, as kube-apiserver retries patches.
     */
    private MockResponse patch(RecordedRequest request, ApiPath a) {
        String contentType = Optional.ofNullable(request.getHeader("Content-Type")).orElse("");
        boolean strategic = contentType.startsWith("application/strategic-merge-patch+json");
        if (!strategic && !contentType.startsWith("application/merge-patch+json")) {
            return status(415, "UnsupportedMediaType", "the body of the request was in an unknown format - accepted media "
                    + "types include: application/json-patch+json, application/merge-patch+json, "
                    + "application/strategic-merge-patch+json (no server-side apply here)");
        }
        if (strategic && a.type().schema() != null) {
            return status(415, "UnsupportedMediaType", "strategic merge patch is not supported for custom resources; "
                    + "use a JSON merge patch (kubectl patch --type=merge)");
        }
        JsonNode patch = Json.parse(request.getBody().readUtf8());
        String target = a.subresource() != null ? a.objectPath() + "/" + a.subresource() : a.objectPath();
        MockResponse last = null;
        for (int attempt = 0; attempt < PATCH_ATTEMPTS; attempt++) {
            MockResponse current = super.handleGet(a.objectPath());
            if (current.code() != 200) {
                return notFound(a);
            }
            JsonNode stored = Json.parse(current.getBody().readUtf8());
            JsonNode patched = strategic ? Patches.strategicMerge(stored, patch) : Patches.merge(stored, patch);
            if (patch.path("metadata").path("resourceVersion").isMissingNode()) {
                ((ObjectNode) patched.path("metadata")).set("resourceVersion", stored.path("metadata").path("resourceVersion"));
            }
            last = super.handleUpdate(new RecordedRequest("HTTP/1.1", HttpMethod.PUT, target, request.getHeaders(),
                    new Buffer(Json.write(patched).getBytes(StandardCharsets.UTF_8))));
            if (last.code() != 409 || !patch.path("metadata").path("resourceVersion").isMissingNode()) {
                break;
            }
        }
        return withJsonType(last);
    }

    private static RecordedRequest withBody(RecordedRequest r, JsonNode body) {
        return new RecordedRequest(r.getHttpVersion(), r.method(), r.getPath(), r.getHeaders(),
                new Buffer(Json.write(body).getBytes(StandardCharsets.UTF_8)));
    }

    private static boolean isJsonPatch(RecordedRequest request) {
        return Optional.ofNullable(request.getHeader("Content-Type")).orElse("").startsWith("application/json-patch+json");
    }

    /** kubectl get's server-side printing, when its Accept header asks for a Table. */
    private MockResponse table(RecordedRequest request, ApiPath a, MockResponse r) {
        if (!Tables.wanted(request.getHeader("Accept")) || a.type().columns().isEmpty()) {
            return withJsonType(r);
        }
        JsonNode body = Json.parse(r.getBody().readUtf8());
        List<JsonNode> objects = new ArrayList<>();
        if (body.has("items")) {
            body.path("items").forEach(objects::add);
            // kube-apiserver lists in key order (namespace, name); the mock in write order
            objects.sort(java.util.Comparator.comparing((JsonNode o) -> o.path("metadata").path("namespace").asText())
                    .thenComparing(o -> o.path("metadata").path("name").asText()));
        } else {
            objects.add(body);
        }
        String rv = body.path("metadata").path("resourceVersion").asText("");
        return json(200, Tables.table(a.type(), objects, rv, a.query().get("includeObject"), Instant.now()));
    }

    /** The mock has no RBAC: SelfSubjectAccessReviews (the agent's dbg doctor self-check) are allowed. */
    @Override
    public MockResponse handleCreate(RecordedRequest request) {
        if (request.getPath().contains("/selfsubjectaccessreviews")) {
            GenericKubernetesResource review = Serialization.unmarshal(request.getUtf8Body(), GenericKubernetesResource.class);
            review.setAdditionalProperty("status", Map.of("allowed", true, "reason", "embedded demo API: no RBAC"));
            return new MockResponse().setResponseCode(201).setBody(Serialization.asJson(review));
        }
        return super.handleCreate(request);
    }

    private static MockResponse found(Optional<ObjectNode> body) {
        return body.map(b -> json(200, b))
                .orElseGet(() -> status(404, "NotFound", "the server could not find the requested resource"));
    }

    private static MockResponse notFound(ApiPath a) {
        ObjectNode s = statusBody(404, "NotFound", a.type().qualifiedPlural() + " \"" + a.name() + "\" not found");
        s.putObject("details").put("name", a.name()).put("group", a.type().group()).put("kind", a.type().plural());
        return json(404, s);
    }

    private static MockResponse status(int code, String reason, String message) {
        return json(code, statusBody(code, reason, message));
    }

    private static ObjectNode statusBody(int code, String reason, String message) {
        ObjectNode s = Json.object();
        s.put("kind", "Status").put("apiVersion", "v1");
        s.putObject("metadata");
        s.put("status", "Failure").put("message", message).put("reason", reason).put("code", code);
        return s;
    }

    private static MockResponse json(int code, JsonNode body) {
        return new MockResponse().setResponseCode(code).setHeader("Content-Type", JSON).setBody(Json.write(body));
    }

    private static MockResponse withJsonType(MockResponse r) {
        if (r.getWebSocketListener() == null && r.getBody() != null && r.getBody().size() > 0 && r.header("Content-Type") == null) {
            r.setHeader("Content-Type", JSON);
        }
        return r;
    }
}
