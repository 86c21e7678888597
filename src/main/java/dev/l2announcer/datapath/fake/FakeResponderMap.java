package dev.l2announcer.datapath.fake;

import dev.l2announcer.datapath.ResponderDiff;
import dev.l2announcer.datapath.ResponderEntry;
import dev.l2announcer.datapath.ResponderMap;

import java.util.HashMap;
import java.util.Map;
import java.util.Set;

/**
 * In-memory {@link ResponderMap} with the kernel map's semantics: a hash map of {@code capacity} entries (4096,
 * as l2_responder_v4) that refuses one more with E2BIG, counters kept on put.
 */
public final class FakeResponderMap implements ResponderMap {
    public static final int MAX_ENTRIES = 4096;
    private final Map<ResponderEntry, Long> entries = new HashMap<>();
    private final int capacity;
    private RuntimeException failNext;

    public FakeResponderMap() {
        this(MAX_ENTRIES);
    }

    public FakeResponderMap(int capacity) {
        this.capacity = capacity;
    }

    @Override
    public int capacity() {
        return capacity;
    }

    @Override
    public synchronized void put(ResponderEntry entry) {
        throwIfFailing();
        insert(entry);
    }

    /** As the kernel: a new key in a full hash map fails with E2BIG. */
    private void insert(ResponderEntry entry) {
        if (!entries.containsKey(entry) && entries.size() >= capacity) {
            throw new IllegalStateException("map full (E2BIG): " + capacity + " entries");
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
        ResponderDiff diff = ResponderDiff.within(entries.keySet(), desired, capacity);
        diff.toDelete().forEach(entries::remove);
        diff.toAdd().forEach(this::insert);
        return new SyncResult(diff.toAdd(), diff.toDelete(), diff.rejected());
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
