package dev.l2announcer.announce;

import dev.l2announcer.datapath.LocalAnnouncement;

import dev.l2announcer.selection.AddressOnInterfaces;
import dev.l2announcer.selection.AnnouncementGroup;
import dev.l2announcer.selection.SelectionSnapshot;

import java.net.InetAddress;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SortedMap;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Pure planning: selection snapshot x leases held by this node -> what to announce.
 * No I/O, no clock of its own ({@code now} is an argument), so every rule is unit-testable.
 */
public final class AnnouncementPlanner {
    private AnnouncementPlanner() {
    }

    /**
     * The leases this node should campaign for, with their cluster-wide candidates: groups where it
     * is a local candidate AND has at least one address (IPv4 or IPv6) on a usable local interface. Winning a
     * lease we could not announce would black-hole the IP (another candidate could serve it); such a
     * candidate reports the reason in {@link #plan} instead. A dual-stack group is one Lease: its holder
     * announces both families.
     */
    public static SortedMap<String, SortedSet<String>> campaign(SelectionSnapshot snapshot) {
        SortedMap<String, SortedSet<String>> out = new TreeMap<>();
        for (AnnouncementGroup g : snapshot.groups().values()) {
            if (g.localCandidate() && announceable(g)) {
                out.put(g.leaseName(), g.candidates());
            }
        }
        return out;
    }

    /**
     * @param held     leases this node holds (confirmed by the election)
     * @param previous the last table, so rows that stay keep their {@code since}
     * @param now      timestamp for rows that start now
     */
    public static AnnouncementPlan plan(SelectionSnapshot snapshot, Set<String> held, AnnouncementTable previous,
                                        Instant now) {
        TreeSet<LocalAnnouncement> desired = new TreeSet<>();
        List<AnnouncementRow> rows = new ArrayList<>();
        List<AnnouncementFailure> failures = new ArrayList<>();
        for (AnnouncementGroup g : snapshot.groups().values()) {
            if (!g.localCandidate()) {
                continue; // not ours to announce, held or not: a stale lease gets released by the election
            }
            // A candidate that cannot announce any address here (its interfaces match no policy regex, or are
            // down) reports every address below, held or not: never a silent non-announcement.
            boolean isHeld = held.contains(g.leaseName());
            boolean announceable = announceable(g);
            if (!isHeld && announceable) {
                continue; // campaigning; the holder (maybe another node) reports this group's problems
            }
            for (AddressOnInterfaces a : g.addresses()) {
                InetAddress ip = a.address();
                if (a.interfaces().isEmpty()) {
                    failures.add(new AnnouncementFailure(g.leaseName(), g.services(), ip, "",
                            AnnouncementFailure.Reason.NO_USABLE_INTERFACE));
                    continue;
                }
                if (!isHeld) {
                    continue;
                }
                for (String ifname : a.interfaces()) {
                    LocalAnnouncement la = new LocalAnnouncement(ip, ifname, g.leaseName());
                    if (!desired.add(la)) {
                        continue; // one IP is in one group by construction; keep the first if not
                    }
                    Instant since = previous.find(ip, ifname)
                            .filter(r -> r.leaseName().equals(g.leaseName()))
                            .map(AnnouncementRow::since)
                            .orElse(now);
                    rows.add(new AnnouncementRow(ip, ifname, g.services(), g.leaseName(), since));
                }
            }
        }
        return new AnnouncementPlan(desired, new AnnouncementTable(rows), failures);
    }

    /** Drops rows whose entries the datapath could not install, so the table shows only what is answered. */
    public static AnnouncementTable installed(AnnouncementTable table, Map<LocalAnnouncement, ?> failed) {
        if (failed.isEmpty()) {
            return table;
        }
        return new AnnouncementTable(table.rows().stream()
                .filter(r -> !failed.containsKey(new LocalAnnouncement(r.ip(), r.interfaceName(), r.leaseName())))
                .toList());
    }

    static boolean announceable(AnnouncementGroup g) {
        return g.addresses().stream().anyMatch(a -> !a.interfaces().isEmpty());
    }
}
