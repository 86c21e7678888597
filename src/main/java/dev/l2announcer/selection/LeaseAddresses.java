package dev.l2announcer.selection;

import dev.l2announcer.datapath.Addresses;
import java.net.InetAddress;
import java.util.LinkedHashSet;
import java.util.Set;
import java.util.StringJoiner;

/**
 * Codec of the Lease annotation in which the holder records the addresses its group announces, so that every
 * agent, also one that just started, can tell which group an existing Lease elects after the Service it was
 * named after is gone:
 *
 * <pre>l2announcer.dev/addresses: 192.0.2.10,198.51.100.7,2001:db8::10</pre>
 *
 * The group's addresses in its order (IPv4 first, numerically), at most {@value #MAX_ADDRESSES}: naming needs one
 * address the group still has, not all of them, and a Lease is rewritten every retry period. Unparsable entries
 * are skipped on reading.
 */
public final class LeaseAddresses {
    public static final String KEY = "l2announcer.dev/addresses";
    public static final int MAX_ADDRESSES = 64;

    private LeaseAddresses() {
    }

    public static String encode(AnnouncementGroup group) {
        StringJoiner out = new StringJoiner(",");
        int n = 0;
        for (AddressOnInterfaces a : group.addresses()) {
            if (n++ == MAX_ADDRESSES) {
                break;
            }
            out.add(Addresses.format(a.address()));
        }
        return out.toString();
    }

    public static Set<InetAddress> decode(String value) {
        Set<InetAddress> out = new LinkedHashSet<>();
        if (value == null || value.isEmpty()) {
            return out;
        }
        for (String part : value.split(",", MAX_ADDRESSES + 1)) {
            if (out.size() == MAX_ADDRESSES) {
                break;
            }
            IpLiterals.parse(part.strip()).ifPresent(out::add);
        }
        return out;
    }
}
