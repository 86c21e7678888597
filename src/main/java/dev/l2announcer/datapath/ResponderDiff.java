package dev.l2announcer.datapath;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * What to add and delete to turn {@code current} into {@code desired}; entries in both stay (and keep counters).
 * {@code rejected}: desired entries that do not fit the map's capacity.
 */
public record ResponderDiff(Set<ResponderEntry> toAdd, Set<ResponderEntry> toDelete, Set<ResponderEntry> rejected) {
    /** Deterministic: numeric IP, then ifindex. Which additions fit a full map must not depend on hash order. */
    static final Comparator<ResponderEntry> ORDER =
            Comparator.comparing(ResponderEntry::ip, Addresses.ORDER).thenComparingInt(ResponderEntry::ifindex);

    public ResponderDiff {
        toAdd = Set.copyOf(toAdd);
        toDelete = Set.copyOf(toDelete);
        rejected = Set.copyOf(rejected);
    }

    public static ResponderDiff between(Set<ResponderEntry> current, Set<ResponderEntry> desired) {
        return within(current, desired, Integer.MAX_VALUE);
    }

    /**
     * As {@link #between}, for a map of {@code capacity} entries: every deletion, the entries that stay, and of the
     * additions as many as fit, in {@link #ORDER}; the rest is rejected. Installed entries are never evicted for
     * new ones (an IP that is answered keeps being answered).
     */
    public static ResponderDiff within(Set<ResponderEntry> current, Set<ResponderEntry> desired, int capacity) {
        List<ResponderEntry> add = new ArrayList<>();
        for (ResponderEntry e : desired) if (!current.contains(e)) add.add(e);
        Set<ResponderEntry> del = new HashSet<>(current);
        del.removeAll(desired);
        int staying = current.size() - del.size();
        int room = Math.max(0, capacity - staying);
        if (add.size() <= room) {
            return new ResponderDiff(new HashSet<>(add), del, Set.of());
        }
        add.sort(ORDER);
        return new ResponderDiff(new HashSet<>(add.subList(0, room)), del, new HashSet<>(add.subList(room, add.size())));
    }

    public boolean isEmpty() {
        return toAdd.isEmpty() && toDelete.isEmpty();
    }
}
