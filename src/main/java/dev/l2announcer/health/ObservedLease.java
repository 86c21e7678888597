package dev.l2announcer.health;

import dev.l2announcer.datapath.MacAddress;

import java.util.Collections;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * A Lease as last observed: its holder and the MACs the holder published.
 *
 * @param holder      holderIdentity, "" when nobody holds it
 * @param announcedOn interface -> MAC from {@link AnnouncedOnAnnotation}; empty when absent or invalid
 * @param published   whether a valid announced-on annotation was present
 */
public record ObservedLease(String name, String holder, SortedMap<String, MacAddress> announcedOn, boolean published) {
    public ObservedLease {
        announcedOn = Collections.unmodifiableSortedMap(new TreeMap<>(announcedOn));
    }

    /** Reads a Lease's holder and annotations, treating an unparsable annotation as "not published". */
    public static ObservedLease of(String name, String holder, java.util.Map<String, String> annotations) {
        String v = annotations == null ? null : annotations.get(AnnouncedOnAnnotation.KEY);
        if (v == null) {
            return new ObservedLease(name, holder == null ? "" : holder, new TreeMap<>(), false);
        }
        try {
            return new ObservedLease(name, holder == null ? "" : holder, AnnouncedOnAnnotation.decode(v), true);
        } catch (IllegalArgumentException e) {
            return new ObservedLease(name, holder == null ? "" : holder, new TreeMap<>(), false);
        }
    }
}
