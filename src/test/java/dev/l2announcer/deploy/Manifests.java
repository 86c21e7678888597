package dev.l2announcer.deploy;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.KubernetesList;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/** Kubernetes objects parsed with fabric8 from multi-document YAML (files in deploy/ or rendered Helm output). */
record Manifests(List<HasMetadata> objects) {

    private static final KubernetesSerialization SERIALIZATION = new KubernetesSerialization();

    Manifests {
        objects = List.copyOf(objects);
    }

    static Manifests parse(String yaml) {
        Object parsed = SERIALIZATION.unmarshal(new ByteArrayInputStream(yaml.getBytes(StandardCharsets.UTF_8)));
        List<HasMetadata> out = new ArrayList<>();
        collect(parsed, out);
        return new Manifests(out);
    }

    static Manifests parseFiles(List<Path> files) {
        List<HasMetadata> out = new ArrayList<>();
        for (Path file : files) {
            try {
                out.addAll(parse(Files.readString(file)).objects());
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            } catch (RuntimeException e) {
                throw new IllegalArgumentException("cannot parse " + file + ": " + e.getMessage(), e);
            }
        }
        return new Manifests(out);
    }

    private static void collect(Object parsed, List<HasMetadata> out) {
        switch (parsed) {
            case null -> { }
            case KubernetesList list -> list.getItems().forEach(item -> collect(item, out));
            case List<?> list -> list.forEach(item -> collect(item, out));
            case HasMetadata object -> out.add(object);
            default -> throw new IllegalArgumentException("not a Kubernetes object: " + parsed.getClass());
        }
    }

    <T extends HasMetadata> List<T> all(Class<T> type) {
        return objects.stream().filter(type::isInstance).map(type::cast).toList();
    }

    <T extends HasMetadata> T one(Class<T> type, String name) {
        List<T> matches = all(type).stream().filter(o -> Objects.equals(name, o.getMetadata().getName())).toList();
        if (matches.size() != 1) {
            throw new AssertionError("expected exactly one " + type.getSimpleName() + " named " + name
                    + ", found " + matches.size());
        }
        return matches.getFirst();
    }

    /** kind/name of every object, for comparing two renderings. */
    List<String> kindsAndNames() {
        return objects.stream().map(o -> o.getKind() + "/" + o.getMetadata().getName()).sorted().toList();
    }
}
