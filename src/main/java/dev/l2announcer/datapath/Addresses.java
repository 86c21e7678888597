package dev.l2announcer.datapath;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
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

    /**
     * The text form people read and Go prints: dotted quad for IPv4, RFC 5952 for IPv6 (lower case, no leading
     * zeros, the longest run of two or more zero groups, the first of equal runs, as "::"): 2001:db8::10, where
     * {@link InetAddress#getHostAddress()} gives 2001:db8:0:0:0:0:0:10.
     */
    public static String format(InetAddress ip) {
        if (!(ip instanceof Inet6Address)) {
            return ip.getHostAddress();
        }
        byte[] b = ip.getAddress();
        int[] g = new int[8];
        for (int i = 0; i < 8; i++) {
            g[i] = ((b[2 * i] & 0xff) << 8) | (b[2 * i + 1] & 0xff);
        }
        int bestStart = -1, bestLength = 1;
        for (int i = 0; i < 8; ) {
            if (g[i] != 0) {
                i++;
                continue;
            }
            int j = i;
            while (j < 8 && g[j] == 0) {
                j++;
            }
            if (j - i > bestLength) {
                bestStart = i;
                bestLength = j - i;
            }
            i = j;
        }
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < 8; i++) {
            if (i == bestStart) {
                out.append("::");
                i += bestLength - 1;
                continue;
            }
            if (!out.isEmpty() && out.charAt(out.length() - 1) != ':') {
                out.append(':');
            }
            out.append(Integer.toHexString(g[i]));
        }
        return out.toString();
    }

    /**
     * {@code ip} without an IPv6 scope (zone): responder map keys are the address bytes, and an address
     * parsed with a scope would not equal the same address read back from the kernel.
     */
    public static InetAddress unscoped(InetAddress ip) {
        if (ip instanceof Inet6Address v6 && (v6.getScopeId() != 0 || v6.getScopedInterface() != null)) {
            try {
                return Inet6Address.getByAddress(null, v6.getAddress(), -1);
            } catch (UnknownHostException e) {
                throw new IllegalArgumentException(e);
            }
        }
        return ip;
    }
}
