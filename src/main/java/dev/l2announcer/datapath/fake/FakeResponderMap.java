package dev.l2announcer.datapath.fake;

import dev.l2announcer.datapath.ResponderDiff;
import dev.l2announcer.datapath.ResponderEntry;
import dev.l2announcer.datapath.ResponderMap;

import java.util.HashMap;
import java.util.Map;
import java.util.Set;

/** In-memory {@link ResponderMap} with the kernel map's semantics (4096 entries, counters kept on put). */
public final class FakeResponderMap implements ResponderMap {
    public static final int MAX_ENTRIES = 4096;
    private final Map<ResponderEntry, Long> entries = new HashMap<>();
    private RuntimeException failNext;

    @Override
    public synchronized void put(ResponderEntry entry) {
        throwIfFailing();
        if (!entries.containsKey(entry) && entries.size() >= MAX_ENTRIES) {
            throw new IllegalStateException("map full (E2BIG)");
        }
        entries.putIfAbsent(entry, 0L);
    }

    @Override
    public synchronized void delete(ResponderEntry entry) {
        throwIfFailing();
        entries.remove(entry);
    }

    @Override
    public synchronized Map<ResponderEntry, Long> list() {
        return Map.copyOf(entries);
    }

    @Override
    public synchronized SyncResult sync(Set<ResponderEntry> desired) {
        throwIfFailing();
        ResponderDiff diff = ResponderDiff.between(entries.keySet(), desired);
        diff.toDelete().forEach(entries::remove);
        diff.toAdd().forEach(e -> entries.putIfAbsent(e, 0L));
        return new SyncResult(diff.toAdd(), diff.toDelete());
    }

    /** What the program does when it answers a request for {@code entry}. */
    public synchronized void answered(ResponderEntry entry) {
        entries.computeIfPresent(entry, (k, v) -> v + 1);
    }

    /** The next mutating call throws {@code e} (then the map works again). */
    public synchronized void failNext(RuntimeException e) {
        failNext = e;
    }

    private void throwIfFailing() {
        RuntimeException e = failNext;
        if (e != null) {
            failNext = null;
            throw e;
        }
    }
}
