package dev.l2announcer.announce;

import dev.l2announcer.datapath.LocalAnnouncement;

import dev.l2announcer.datapath.Device;
import dev.l2announcer.datapath.Devices;
import dev.l2announcer.datapath.NeighbourAnnouncer;
import dev.l2announcer.datapath.ResponderEntry;
import dev.l2announcer.datapath.ResponderMap;

import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * Test sink over the datapath ports alone, synchronous so loop tests are deterministic: resolves
 * interface names to ifindexes, syncs the responder map (whose capacity, as the kernel's, decides what
 * is "map full"), sends one gratuitous ARP per new entry. Production uses the datapath's ResponderReconciler
 * through {@code dev.l2announcer.agent.ReconcilerSink}.
 */
public final class PortResponderSink implements ResponderSink {
    private final ResponderMap map;
    private final Devices devices;
    private final NeighbourAnnouncer garp;
    private Set<LocalAnnouncement> previous = Set.of();

    public PortResponderSink(ResponderMap map, Devices devices, NeighbourAnnouncer garp) {
        this.map = map;
        this.devices = devices;
        this.garp = garp;
    }

    @Override
    public Result apply(Set<LocalAnnouncement> desired) {
        Map<String, Device> byName = devices.list().stream()
                .collect(Collectors.toMap(Device::name, Function.identity(), (a, b) -> a));
        Map<LocalAnnouncement, AnnouncementFailure.Reason> failed = new LinkedHashMap<>();
        Map<ResponderEntry, LocalAnnouncement> entries = new LinkedHashMap<>();
        for (LocalAnnouncement la : new TreeSet<>(desired)) {
            Device d = byName.get(la.interfaceName());
            if (d == null || !d.usableForL2()) {
                failed.put(la, AnnouncementFailure.Reason.NO_USABLE_INTERFACE);
            } else {
                entries.put(new ResponderEntry(la.ip(), d.ifindex()), la);
            }
        }
        ResponderMap.SyncResult sync = map.sync(entries.keySet());
        sync.rejected().forEach(e -> failed.put(entries.get(e), AnnouncementFailure.Reason.MAP_FULL));
        Set<LocalAnnouncement> added = new HashSet<>();
        int errors = 0;
        for (ResponderEntry e : sync.added()) {
            LocalAnnouncement la = entries.get(e);
            added.add(la);
            try {
                garp.announce(byName.get(la.interfaceName()), e.ip());
            } catch (RuntimeException ex) {
                // The entry answers ARP already; a lost GARP only delays neighbours' cache update.
                errors++;
            }
        }
        Set<LocalAnnouncement> removed = new HashSet<>(previous);
        removed.removeAll(desired);
        previous = Set.copyOf(desired);
        return new Result(added, removed, failed, errors);
    }
}
