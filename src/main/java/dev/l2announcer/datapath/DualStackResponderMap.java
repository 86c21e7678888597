package dev.l2announcer.datapath;

import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * The two kernel maps as one {@link ResponderMap}: IPv4 entries go to {@code l2_responder_v4}, IPv6 entries to
 * {@code l2_responder_v6}. Each map keeps its own rules: {@link #sync} syncs each with the desired entries of its
 * family, within that map's own capacity (a full v4 map never rejects a v6 entry, nor the reverse).
 */
public final class DualStackResponderMap implements ResponderMap {
    private final ResponderMap v4;
    private final ResponderMap v6;

    public DualStackResponderMap(ResponderMap v4, ResponderMap v6) {
        this.v4 = v4;
        this.v6 = v6;
    }

    public ResponderMap of(AddressFamily family) {
        return family == AddressFamily.IPV4 ? v4 : v6;
    }

    @Override
    public void put(ResponderEntry entry) {
        of(entry.family()).put(entry);
    }

    @Override
    public void delete(ResponderEntry entry) {
        of(entry.family()).delete(entry);
    }

    @Override
    public Map<ResponderEntry, Long> list() {
        Map<ResponderEntry, Long> out = new HashMap<>(v4.list());
        out.putAll(v6.list());
        return out;
    }

    /** Both maps together; each family's own is {@link #capacity(AddressFamily)}. */
    @Override
    public int capacity() {
        return capacity(AddressFamily.IPV4) + capacity(AddressFamily.IPV6);
    }

    @Override
    public int capacity(AddressFamily family) {
        return of(family).capacity(family);
    }

    /** The v4 map first; a failure of it still leaves the v6 map untouched for this round (retried as a whole). */
    @Override
    public SyncResult sync(Set<ResponderEntry> desired) {
        Map<AddressFamily, Set<ResponderEntry>> byFamily = desired.stream()
                .collect(Collectors.groupingBy(ResponderEntry::family, Collectors.toSet()));
        Set<ResponderEntry> added = new HashSet<>(), removed = new HashSet<>(), rejected = new HashSet<>();
        for (AddressFamily f : AddressFamily.values()) {
            SyncResult r = of(f).sync(byFamily.getOrDefault(f, Set.of()));
            added.addAll(r.added());
            removed.addAll(r.removed());
            rejected.addAll(r.rejected());
        }
        return new SyncResult(added, removed, rejected);
    }
}
