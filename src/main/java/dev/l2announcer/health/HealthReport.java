package dev.l2announcer.health;

import dev.l2announcer.selection.ServiceRef;

import dev.l2announcer.datapath.Addresses;

import java.net.InetAddress;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What {@code dbg health} shows: the latest result of every node and VIP probe.
 *
 * @param probeTime time of the most recent probe (null before the first one)
 */
public record HealthReport(Instant probeTime, String localNode, List<NodeProbeResult> nodes, List<VipStatus> vips) {
    public HealthReport {
        nodes = List.copyOf(nodes);
        vips = List.copyOf(vips);
    }

    /** One announced IP with the result on each local interface probed. */
    public record VipStatus(InetAddress ip, String leaseName, List<ServiceRef> services, String holder,
                            List<VipProbeResult> probes) {
        public VipStatus {
            services = List.copyOf(services);
            probes = List.copyOf(probes);
        }
    }

    /** Pure: groups results per IP, sorted by node name, then IP (numerically, IPv4 first), then interface. */
    public static HealthReport of(String localNode, List<NodeProbeResult> nodeResults, List<VipProbeResult> vipResults) {
        Instant latest = null;
        for (NodeProbeResult r : nodeResults) {
            latest = latest == null || r.at().isAfter(latest) ? r.at() : latest;
        }
        for (VipProbeResult r : vipResults) {
            latest = latest == null || r.at().isAfter(latest) ? r.at() : latest;
        }
        List<NodeProbeResult> nodes = new ArrayList<>(nodeResults);
        nodes.sort(Comparator.comparing((NodeProbeResult r) -> r.target().name()));
        List<VipProbeResult> sorted = new ArrayList<>(vipResults);
        sorted.sort(Comparator.comparing((VipProbeResult r) -> r.target().ip(), Addresses.ORDER)
                .thenComparing(r -> r.target().via().name()));
        Map<InetAddress, List<VipProbeResult>> byIp = new LinkedHashMap<>();
        for (VipProbeResult r : sorted) {
            byIp.computeIfAbsent(r.target().ip(), k -> new ArrayList<>()).add(r);
        }
        List<VipStatus> vips = new ArrayList<>();
        for (var e : byIp.entrySet()) {
            // The newest probe knows the current holder best.
            VipTarget t = e.getValue().stream().max(Comparator.comparing(VipProbeResult::at)).orElseThrow().target();
            vips.add(new VipStatus(e.getKey(), t.leaseName(), t.services(), t.holder(), e.getValue()));
        }
        return new HealthReport(latest, localNode, nodes, vips);
    }
}
