package dev.l2announcer.announce;

import dev.l2announcer.datapath.LocalAnnouncement;

import dev.l2announcer.selection.ServiceRef;

import java.time.Duration;
import java.util.List;
import java.util.Set;

/**
 * What one pass of the loop did, for observers (metrics, Service events).
 *
 * @param takeovers   leases whose rows were installed in this pass (this node started announcing them)
 * @param failures    everything that cannot be announced right now
 * @param newFailures failures not present after the previous pass (so events fire on change)
 */
public record ReconcileReport(AnnouncementTable table, Set<LocalAnnouncement> added, Set<LocalAnnouncement> removed,
                              List<Takeover> takeovers, List<AnnouncementFailure> failures,
                              List<AnnouncementFailure> newFailures, int datapathErrors, Duration took) {
    public ReconcileReport {
        added = Set.copyOf(added);
        removed = Set.copyOf(removed);
        takeovers = List.copyOf(takeovers);
        failures = List.copyOf(failures);
        newFailures = List.copyOf(newFailures);
    }

    public record Takeover(String leaseName, List<ServiceRef> services, List<AnnouncementRow> rows) {
        public Takeover {
            services = List.copyOf(services);
            rows = List.copyOf(rows);
        }
    }
}
