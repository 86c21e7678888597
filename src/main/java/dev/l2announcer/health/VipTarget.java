package dev.l2announcer.health;

import dev.l2announcer.datapath.Device;
import dev.l2announcer.datapath.MacAddress;
import dev.l2announcer.selection.ServiceRef;

import dev.l2announcer.datapath.AddressFamily;

import java.net.InetAddress;
import java.util.List;
import java.util.Set;

/**
 * One VIP probe to make: ask for {@code ip} (ARP for IPv4, NDP for IPv6) on local interface {@code via} and expect
 * the holder.
 *
 * @param holderMacs MACs the holder published on the Lease (empty: unknown)
 */
public record VipTarget(InetAddress ip, String leaseName, List<ServiceRef> services, String holder,
                        Set<MacAddress> holderMacs, Device via) {
    public VipTarget {
        services = List.copyOf(services);
        holderMacs = Set.copyOf(holderMacs);
    }

    public AddressFamily family() {
        return AddressFamily.of(ip);
    }

    /** Results are kept per (IP, interface): the latest probe replaces the previous one. */
    public Key key() {
        return new Key(ip, via.name());
    }

    public record Key(InetAddress ip, String interfaceName) {}
}
