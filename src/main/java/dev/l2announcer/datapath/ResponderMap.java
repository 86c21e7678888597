package dev.l2announcer.datapath;

import java.util.Map;
import java.util.Set;

/** The pinned l2_responder_v4 map (or an in-memory fake): keys this node answers ARP for. */
public interface ResponderMap {
    void put(ResponderEntry entry);

    void delete(ResponderEntry entry);

    /** Every entry with its responses_sent counter. */
    Map<ResponderEntry, Long> list();

    /** Makes the map equal to {@code desired}: adds missing, deletes extra, keeps counters of the rest. */
    SyncResult sync(Set<ResponderEntry> desired);

    record SyncResult(Set<ResponderEntry> added, Set<ResponderEntry> removed) {
        public SyncResult {
            added = Set.copyOf(added);
            removed = Set.copyOf(removed);
        }
    }
}
