package dev.l2announcer.datapath;

import java.net.InetAddress;
import java.util.Objects;

/**
 * One key of a responder map: answer for {@code ip} arriving on {@code ifindex}; IPv4 keys live in
 * {@code l2_responder_v4} (ARP), IPv6 keys in {@code l2_responder_v6} (NDP). IPv6 addresses are kept without a
 * scope ({@link Addresses#unscoped}): the map key is the 16 address bytes.
 */
public record ResponderEntry(InetAddress ip, int ifindex) {
    public ResponderEntry {
        ip = Addresses.unscoped(Objects.requireNonNull(ip, "ip"));
        AddressFamily.of(ip);
    }

    public AddressFamily family() {
        return AddressFamily.of(ip);
    }
}
