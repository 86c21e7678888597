package dev.l2announcer.datapath;

import java.util.Map;
import java.util.Set;

/** The pinned l2_responder_v4 map (or an in-memory fake): keys this node answers ARP for. */
public interface ResponderMap {
    void put(ResponderEntry entry);

    void delete(ResponderEntry entry);

    /** Every entry with its responses_sent counter. */
    Map<ResponderEntry, Long> list();

    /** How many entries the map holds at most (the kernel map's max_entries). */
    int capacity();

    /**
     * Makes the map as equal to {@code desired} as its capacity allows ({@link ResponderDiff#within}): deletes
     * every extra entry first, keeps counters of the rest, adds what fits and reports the remainder as
     * {@code rejected}. Never throws for a desired set larger than the capacity.
     */
    SyncResult sync(Set<ResponderEntry> desired);

    record SyncResult(Set<ResponderEntry> added, Set<ResponderEntry> removed, Set<ResponderEntry> rejected) {
        public SyncResult {
            added = Set.copyOf(added);
            removed = Set.copyOf(removed);
            rejected = Set.copyOf(rejected);
        }
    }
}
