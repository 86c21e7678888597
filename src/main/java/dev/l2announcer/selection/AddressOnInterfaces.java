package dev.l2announcer.selection;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.util.List;

/**
 * One IP (IPv4: ARP, IPv6: NDP) of an announcement group and the local interfaces (names, sorted) it is announced on.
 */
public record AddressOnInterfaces(InetAddress address, List<String> interfaces) {
    public AddressOnInterfaces {
        interfaces = List.copyOf(interfaces);
    }

    public boolean isIpv4() {
        return address instanceof Inet4Address;
    }
}
