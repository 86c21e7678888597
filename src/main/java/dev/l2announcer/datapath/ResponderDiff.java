package dev.l2announcer.datapath;

import java.util.HashSet;
import java.util.Set;

/** What to add and delete to turn {@code current} into {@code desired}; entries in both stay (and keep counters). */
public record ResponderDiff(Set<ResponderEntry> toAdd, Set<ResponderEntry> toDelete) {
    public ResponderDiff {
        toAdd = Set.copyOf(toAdd);
        toDelete = Set.copyOf(toDelete);
    }

    public static ResponderDiff between(Set<ResponderEntry> current, Set<ResponderEntry> desired) {
        Set<ResponderEntry> add = new HashSet<>(desired);
        add.removeAll(current);
        Set<ResponderEntry> del = new HashSet<>(current);
        del.removeAll(desired);
        return new ResponderDiff(add, del);
    }

    public boolean isEmpty() {
        return toAdd.isEmpty() && toDelete.isEmpty();
    }
}
