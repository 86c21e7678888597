package dev.l2announcer.selection;

import java.util.Collections;
import java.util.SortedMap;
import java.util.TreeMap;

/** Immutable result of one selection computation: announcement groups keyed by lease name. */
public record SelectionSnapshot(long version, SortedMap<String, AnnouncementGroup> groups) {
    public static final SelectionSnapshot EMPTY = new SelectionSnapshot(0, new TreeMap<>());

    public SelectionSnapshot {
        groups = Collections.unmodifiableSortedMap(new TreeMap<>(groups));
    }
}
