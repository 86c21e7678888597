package dev.l2announcer.demo.api;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A resource request path: {@code /api/v1[/namespaces/NS]/PLURAL[/NAME[/SUBRESOURCE]]} or
 * {@code /apis/GROUP/VERSION[/namespaces/NS]/PLURAL[/NAME[/SUBRESOURCE]]}, with its query parameters.
 * {@code /api/v1/namespaces/NAME} is the namespace NAME itself, told apart by the served plurals.
 */
record ApiPath(ApiResource type, String namespace, String name, String subresource, Map<String, String> query) {

    static Optional<ApiPath> parse(String rawPath, List<ApiResource> served) {
        int q = rawPath.indexOf('?');
        String path = q < 0 ? rawPath : rawPath.substring(0, q);
        Map<String, String> query = query(q < 0 ? "" : rawPath.substring(q + 1));
        String[] s = path.replaceFirst("^/", "").split("/");
        String group;
        int at;
        if (s.length >= 3 && s[0].equals("api")) {
            group = "";
            at = 2;
        } else if (s.length >= 4 && s[0].equals("apis")) {
            group = s[1];
            at = 3;
        } else {
            return Optional.empty();
        }
        String version = s[at - 1];
        String namespace = null;
        if (s.length >= at + 3 && s[at].equals("namespaces") && find(served, group, version, s[at + 2]).isPresent()) {
            namespace = s[at + 1];
            at += 2;
        }
        Optional<ApiResource> type = find(served, group, version, s[at]);
        if (type.isEmpty()) {
            return Optional.empty();
        }
        String name = s.length > at + 1 ? s[at + 1] : null;
        String sub = s.length > at + 2 ? s[at + 2] : null;
        return Optional.of(new ApiPath(type.get(), namespace, name, sub, query));
    }

    private static Optional<ApiResource> find(List<ApiResource> served, String group, String version, String plural) {
        return served.stream().filter(r -> r.group().equals(group) && r.version().equals(version) && r.plural().equals(plural))
                .findFirst();
    }

    private static Map<String, String> query(String raw) {
        Map<String, String> m = new HashMap<>();
        for (String kv : raw.split("&")) {
            if (!kv.isEmpty()) {
                String[] p = kv.split("=", 2);
                m.put(URLDecoder.decode(p[0], StandardCharsets.UTF_8),
                        p.length > 1 ? URLDecoder.decode(p[1], StandardCharsets.UTF_8) : "");
            }
        }
        return m;
    }

    boolean watch() {
        return "true".equals(query.get("watch")) || "1".equals(query.get("watch"));
    }

    /** The path of the object itself (no subresource, no query). */
    String objectPath() {
        return collectionPath(namespace) + "/" + name;
    }

    /** The collection path in {@code ns} (null: cluster-wide), without query. */
    String collectionPath(String ns) {
        String base = type.group().isEmpty() ? "/api/" + type.version() : "/apis/" + type.group() + "/" + type.version();
        return base + (ns != null ? "/namespaces/" + ns : "") + "/" + type.plural();
    }
}
