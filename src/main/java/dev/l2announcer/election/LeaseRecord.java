package dev.l2announcer.election;

import java.util.Objects;

/**
 * One version of one Lease as the store returned or the watch delivered it. Immutable: a newer version is a
 * new record. {@code origin} is the store's own representation of this version, handed back on writes so that
 * fields this engine does not model (labels, owner references, ...) survive a conditional update, as
 * client-go's LeaseLock keeps the Lease it last read; the engine never looks inside it.
 */
public record LeaseRecord(String name, String resourceVersion, LeaseContent content, Object origin) {
    public LeaseRecord {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(content, "content");
    }

    public String holder() {
        return content.holder();
    }

    /**
     * Whether this version is newer than {@code known}. resourceVersions are opaque to clients in general;
     * etcd's (and the mock server's) are increasing integers, which lets a late watch event be told apart from
     * a newer write response. Unparsable ones count as newer.
     */
    public boolean newerThan(String known) {
        if (resourceVersion == null || Objects.equals(resourceVersion, known)) {
            return false;
        }
        if (known == null) {
            return true;
        }
        try {
            return Long.parseLong(resourceVersion) > Long.parseLong(known);
        } catch (NumberFormatException e) {
            return true;
        }
    }
}
