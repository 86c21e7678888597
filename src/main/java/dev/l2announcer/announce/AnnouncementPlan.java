package dev.l2announcer.announce;

import dev.l2announcer.datapath.LocalAnnouncement;

import java.util.List;
import java.util.SortedSet;
import java.util.TreeSet;

/**
 * What the planner decided: the (IPv4, interface) pairs to install, the state table describing
 * them, and what cannot be announced.
 */
public record AnnouncementPlan(SortedSet<LocalAnnouncement> desired, AnnouncementTable table,
                               List<AnnouncementFailure> failures) {
    public AnnouncementPlan {
        desired = java.util.Collections.unmodifiableSortedSet(new TreeSet<>(desired));
        failures = List.copyOf(failures);
    }
}
