package dev.l2announcer.health;

import dev.l2announcer.datapath.Device;
import dev.l2announcer.datapath.MacAddress;
import dev.l2announcer.selection.AddressOnInterfaces;
import dev.l2announcer.selection.AnnouncementGroup;
import dev.l2announcer.selection.SelectionSnapshot;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Pure: which VIP probes this node makes. A node probes an IP on the interfaces selection picked
 * for it here (so only candidates, which sit on the IP's segment, probe) whenever another node
 * holds the Lease: the holder itself cannot see its own replies, and an unheld IP has nobody to
 * expect.
 */
public final class VipTargets {
    private VipTargets() {}

    public static List<VipTarget> compute(SelectionSnapshot snapshot, Map<String, ObservedLease> leases,
                                          List<Device> localDevices, String selfNode) {
        Map<String, Device> byName = new HashMap<>();
        for (Device d : localDevices) {
            if (d.usableForL2()) {
                byName.put(d.name(), d);
            }
        }
        List<VipTarget> out = new ArrayList<>();
        for (AnnouncementGroup g : snapshot.groups().values()) {
            ObservedLease lease = leases.get(g.leaseName());
            if (lease == null || lease.holder().isEmpty() || lease.holder().equals(selfNode)) {
                continue;
            }
            var holderMacs = new HashSet<>(lease.announcedOn().values());
            for (AddressOnInterfaces a : g.addresses()) {
                for (String itf : a.interfaces()) {
                    Device d = byName.get(itf);
                    if (d != null) {
                        out.add(new VipTarget(a.address(), g.leaseName(), g.services(), lease.holder(), holderMacs, d));
                    }
                }
            }
        }
        return out;
    }

    /** MAC -> node name from every holder's published MACs, to name the responders in a report. */
    public static Map<MacAddress, String> macOwners(Map<String, ObservedLease> leases) {
        Map<MacAddress, String> out = new TreeMap<>((a, b) -> Long.compare(a.value(), b.value()));
        for (ObservedLease l : leases.values()) {
            if (!l.holder().isEmpty()) {
                for (MacAddress m : l.announcedOn().values()) {
                    out.put(m, l.holder());
                }
            }
        }
        return out;
    }
}
