package dev.l2announcer.health;

import dev.l2announcer.datapath.Device;
import dev.l2announcer.datapath.Devices;
import dev.l2announcer.datapath.MacAddress;
import dev.l2announcer.selection.AddressOnInterfaces;
import dev.l2announcer.selection.AnnouncementGroup;
import dev.l2announcer.selection.SelectionSource;

import java.util.HashMap;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Function;

/**
 * The election engine's {@code holderAnnotations} hook: for a lease this node is about to write as
 * holder (acquire or renew), the annotations that publish the interfaces and MACs it answers ARP on
 * (see {@link AnnouncedOnAnnotation}). Computed from the current selection and the live links, so
 * a renew after a MAC or interface change republishes the new set.
 */
public final class HolderAnnotations implements Function<String, Map<String, String>> {
    private final SelectionSource selection;
    private final Devices devices;

    public HolderAnnotations(SelectionSource selection, Devices devices) {
        this.selection = selection;
        this.devices = devices;
    }

    @Override
    public Map<String, String> apply(String leaseName) {
        AnnouncementGroup group = selection.current().groups().get(leaseName);
        if (group == null) {
            return Map.of();
        }
        return Map.of(AnnouncedOnAnnotation.KEY, AnnouncedOnAnnotation.encode(announcedOn(group, devices)));
    }

    /** Interfaces (with MAC) the group's IPv4 addresses are answered on: only those ARP reaches. */
    static Map<String, MacAddress> announcedOn(AnnouncementGroup group, Devices devices) {
        Map<String, MacAddress> macByName = new HashMap<>();
        for (Device d : devices.list()) {
            if (d.mac() != null) {
                macByName.put(d.name(), d.mac());
            }
        }
        Map<String, MacAddress> out = new TreeMap<>();
        for (AddressOnInterfaces a : group.addresses()) {
            if (!a.isIpv4()) {
                continue;
            }
            for (String itf : a.interfaces()) {
                MacAddress mac = macByName.get(itf);
                if (mac != null) {
                    out.put(itf, mac);
                }
            }
        }
        return out;
    }
}
