package dev.l2announcer.selection;

import java.util.Comparator;
import java.util.Objects;

/** A Service by namespace and name; ordered by (namespace, name), which names a group that has no Lease yet. */
public record ServiceRef(String namespace, String name) implements Comparable<ServiceRef> {
    private static final Comparator<ServiceRef> ORDER =
            Comparator.comparing(ServiceRef::namespace).thenComparing(ServiceRef::name);

    public ServiceRef {
        Objects.requireNonNull(namespace, "namespace");
        Objects.requireNonNull(name, "name");
    }

    @Override
    public int compareTo(ServiceRef other) {
        return ORDER.compare(this, other);
    }

    @Override
    public String toString() {
        return namespace + "/" + name;
    }
}
