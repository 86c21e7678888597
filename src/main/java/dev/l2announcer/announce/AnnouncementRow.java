package dev.l2announcer.announce;

import dev.l2announcer.selection.ServiceRef;

import java.net.InetAddress;
import java.time.Instant;
import java.util.List;

/**
 * One row of the announce state table, the equivalent of Cilium's statedb {@code l2-announce}
 * table ({@code pkg/datapath/tables/l2announce.go}: key IP + NetworkInterface, value Origins = the
 * services). We add the lease that justifies the row and since when it has been announced.
 */
public record AnnouncementRow(InetAddress ip, String interfaceName, List<ServiceRef> services, String leaseName,
                              Instant since) {
    public AnnouncementRow {
        services = List.copyOf(services);
    }
}
