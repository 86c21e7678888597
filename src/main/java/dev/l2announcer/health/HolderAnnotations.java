package dev.l2announcer.health;

import dev.l2announcer.datapath.Device;
import dev.l2announcer.datapath.Devices;
import dev.l2announcer.datapath.MacAddress;
import dev.l2announcer.selection.AddressOnInterfaces;
import dev.l2announcer.selection.AnnouncementGroup;
import dev.l2announcer.selection.LeaseAddresses;
import dev.l2announcer.selection.SelectionSource;

import java.util.HashMap;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;

/**
 * The election engine's {@code holderAnnotations} hook: for a lease this node is about to write as
 * holder (acquire or renew), the annotations that publish the interfaces and MACs it answers ARP on
 * (see {@link AnnouncedOnAnnotation}) and the group's addresses ({@link LeaseAddresses}). Computed from the current selection and the live links, so
 * a renew after a MAC or interface change republishes the new set.
 *
 * <p>The engine calls this for every acquire and renew (thousands per retry period with many
 * services), so the links are read once and again only after the {@link Devices} subscription
 * reports a change, not with an RTM_GETLINK dump per call. Close to end the subscription.
 */
public final class HolderAnnotations implements Function<String, Map<String, String>>, AutoCloseable {
    private final SelectionSource selection;
    private final Devices devices;
    private final AutoCloseable subscription;
    /** Bumped by every link change: a cached MAC table read before the latest bump is stale. */
    private final AtomicLong linkChanges = new AtomicLong();
    private volatile Macs macs;

    private record Macs(long readAfterChange, Map<String, MacAddress> byName) {}

    public HolderAnnotations(SelectionSource selection, Devices devices) {
        this.selection = selection;
        this.devices = devices;
        this.subscription = devices.subscribe(linkChanges::incrementAndGet);
    }

    @Override
    public Map<String, String> apply(String leaseName) {
        AnnouncementGroup group = selection.current().groups().get(leaseName);
        if (group == null) {
            return Map.of();
        }
        // LeaseAddresses: which group this Lease elects, for agents naming groups (selection.GroupNaming).
        return Map.of(AnnouncedOnAnnotation.KEY, AnnouncedOnAnnotation.encode(announcedOn(group, macByName())),
                LeaseAddresses.KEY, LeaseAddresses.encode(group));
    }

    private Map<String, MacAddress> macByName() {
        long changes = linkChanges.get();
        Macs cached = macs;
        if (cached != null && cached.readAfterChange() == changes) {
            return cached.byName();
        }
        Map<String, MacAddress> byName = new HashMap<>();
        for (Device d : devices.list()) {
            if (d.mac() != null) {
                byName.put(d.name(), d.mac());
            }
        }
        // Tagged with the count seen before the read: a change during the read forces another.
        Map<String, MacAddress> read = Map.copyOf(byName);
        macs = new Macs(changes, read);
        return read;
    }

    /** Interfaces (with MAC) the group's addresses (IPv4 and IPv6) are answered on. */
    static Map<String, MacAddress> announcedOn(AnnouncementGroup group, Map<String, MacAddress> macByName) {
        Map<String, MacAddress> out = new TreeMap<>();
        for (AddressOnInterfaces a : group.addresses()) {
            for (String itf : a.interfaces()) {
                MacAddress mac = macByName.get(itf);
                if (mac != null) {
                    out.put(itf, mac);
                }
            }
        }
        return out;
    }

    @Override
    public void close() {
        try {
            subscription.close();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (Exception e) {
            throw new IllegalStateException("closing the link subscription failed", e);
        }
    }
}
