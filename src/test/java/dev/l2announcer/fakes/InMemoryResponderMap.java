package dev.l2announcer.fakes;

import dev.l2announcer.datapath.ResponderEntry;
import dev.l2announcer.datapath.ResponderMap;

import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/** Test responder map with settable counters. */
public final class InMemoryResponderMap implements ResponderMap {
    private final Map<ResponderEntry, Long> entries = new LinkedHashMap<>();
    private RuntimeException failNextSync;

    @Override
    public synchronized void put(ResponderEntry entry) {
        entries.putIfAbsent(entry, 0L);
    }

    @Override
    public synchronized void delete(ResponderEntry entry) {
        entries.remove(entry);
    }

    @Override
    public synchronized Map<ResponderEntry, Long> list() {
        return Map.copyOf(entries);
    }

    @Override
    public synchronized SyncResult sync(Set<ResponderEntry> desired) {
        if (failNextSync != null) {
            RuntimeException e = failNextSync;
            failNextSync = null;
            throw e;
        }
        Set<ResponderEntry> added = new HashSet<>();
        Set<ResponderEntry> removed = new HashSet<>();
        for (ResponderEntry e : Set.copyOf(entries.keySet())) {
            if (!desired.contains(e)) {
                entries.remove(e);
                removed.add(e);
            }
        }
        for (ResponderEntry e : desired) {
            if (entries.putIfAbsent(e, 0L) == null) {
                added.add(e);
            }
        }
        return new SyncResult(added, removed);
    }

    /** As if the kernel program answered {@code n} ARP requests for the entry. */
    public synchronized void answered(ResponderEntry e, long n) {
        entries.computeIfPresent(e, (k, v) -> v + n);
    }

    public synchronized void failNextSync(RuntimeException e) {
        failNextSync = e;
    }
}
