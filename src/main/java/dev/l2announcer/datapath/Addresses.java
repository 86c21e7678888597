package dev.l2announcer.datapath;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.util.Arrays;
import java.util.Comparator;

/** Numeric ordering of addresses (IPv4 before IPv6) so tables and plans are deterministic. */
public final class Addresses {
    public static final Comparator<InetAddress> ORDER = (a, b) -> {
        boolean a4 = a instanceof Inet4Address;
        boolean b4 = b instanceof Inet4Address;
        if (a4 != b4) {
            return a4 ? -1 : 1;
        }
        return Arrays.compareUnsigned(a.getAddress(), b.getAddress());
    };

    private Addresses() {
    }
}
