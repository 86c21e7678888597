package dev.l2announcer.announce;

import dev.l2announcer.datapath.Addresses;

import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/** Immutable l2-announce table: rows ordered by (IP, interface). */
public record AnnouncementTable(List<AnnouncementRow> rows) {
    // Declared before EMPTY: static initialisers run in order and the constructor sorts with it.
    static final Comparator<AnnouncementRow> ROW_ORDER =
            Comparator.comparing(AnnouncementRow::ip, Addresses.ORDER).thenComparing(AnnouncementRow::interfaceName);

    public static final AnnouncementTable EMPTY = new AnnouncementTable(List.of());

    public AnnouncementTable {
        rows = rows.stream().sorted(ROW_ORDER).toList();
    }

    public Optional<AnnouncementRow> find(java.net.InetAddress ip, String interfaceName) {
        return rows.stream().filter(r -> r.ip().equals(ip) && r.interfaceName().equals(interfaceName)).findFirst();
    }

    /** Leases with at least one row. */
    public Set<String> leases() {
        Set<String> out = new LinkedHashSet<>();
        rows.forEach(r -> out.add(r.leaseName()));
        return out;
    }

    public List<AnnouncementRow> rowsOf(String leaseName) {
        return rows.stream().filter(r -> r.leaseName().equals(leaseName)).toList();
    }

    public int size() {
        return rows.size();
    }
}
