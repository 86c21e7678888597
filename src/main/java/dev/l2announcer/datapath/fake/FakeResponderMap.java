package dev.l2announcer.datapath.fake;

import dev.l2announcer.datapath.AddressFamily;
import dev.l2announcer.datapath.ResponderDiff;
import dev.l2announcer.datapath.ResponderEntry;
import dev.l2announcer.datapath.ResponderMap;

import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * In-memory {@link ResponderMap} with the kernel maps' semantics: l2_responder_v4 and l2_responder_v6 as two hash
 * maps of {@code capacity} entries each (4096, as the kernel's), each refusing one more of its family with E2BIG,
 * counters kept on put.
 */
public final class FakeResponderMap implements ResponderMap {
    public static final int MAX_ENTRIES = 4096;
    private final Map<ResponderEntry, Long> entries = new HashMap<>();
    private final int capacity;
    private RuntimeException failNext;

    public FakeResponderMap() {
        this(MAX_ENTRIES);
    }

    /** @param capacity entries per family (per kernel map) */
    public FakeResponderMap(int capacity) {
        this.capacity = capacity;
    }

    /** Both maps together, as {@link dev.l2announcer.datapath.DualStackResponderMap#capacity()}. */
    @Override
    public int capacity() {
        return 2 * capacity;
    }

    @Override
    public int capacity(AddressFamily family) {
        return capacity;
    }

    @Override
    public synchronized void put(ResponderEntry entry) {
        throwIfFailing();
        insert(entry);
    }

    /** As the kernel: a new key in a full hash map fails with E2BIG. */
    private void insert(ResponderEntry entry) {
        if (!entries.containsKey(entry) && count(entry.family()) >= capacity) {
            throw new IllegalStateException("map " + entry.family().mapName() + " full (E2BIG): " + capacity + " entries");
        }
        entries.putIfAbsent(entry, 0L);
    }

    private long count(AddressFamily family) {
        return entries.keySet().stream().filter(e -> e.family() == family).count();
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

    /** Each family within its own map's capacity, as the two kernel maps behind a DualStackResponderMap. */
    @Override
    public synchronized SyncResult sync(Set<ResponderEntry> desired) {
        throwIfFailing();
        Set<ResponderEntry> added = new HashSet<>(), removed = new HashSet<>(), rejected = new HashSet<>();
        for (AddressFamily f : AddressFamily.values()) {
            ResponderDiff diff = ResponderDiff.within(ofFamily(entries.keySet(), f), ofFamily(desired, f), capacity);
            diff.toDelete().forEach(entries::remove);
            diff.toAdd().forEach(this::insert);
            added.addAll(diff.toAdd());
            removed.addAll(diff.toDelete());
            rejected.addAll(diff.rejected());
        }
        return new SyncResult(added, removed, rejected);
    }

    private static Set<ResponderEntry> ofFamily(Set<ResponderEntry> entries, AddressFamily f) {
        return entries.stream().filter(e -> e.family() == f).collect(Collectors.toSet());
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
