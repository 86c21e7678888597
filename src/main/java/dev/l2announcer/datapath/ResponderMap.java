package dev.l2announcer.datapath;

import java.util.Map;
import java.util.Set;

/**
 * A pinned responder map ({@code l2_responder_v4}, {@code l2_responder_v6}, both as one
 * {@link DualStackResponderMap}) or an in-memory fake: keys this node answers ARP / NDP for.
 */
public interface ResponderMap {
    void put(ResponderEntry entry);

    void delete(ResponderEntry entry);

    /** Every entry with its responses_sent counter. */
    Map<ResponderEntry, Long> list();

    /** How many entries the map holds at most (the kernel map's max_entries). */
    int capacity();

    /** How many entries of {@code family} fit (each family has a map of its own). */
    default int capacity(AddressFamily family) {
        return capacity();
    }

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
