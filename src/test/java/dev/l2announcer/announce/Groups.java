package dev.l2announcer.announce;

import dev.l2announcer.selection.AddressOnInterfaces;
import dev.l2announcer.selection.AnnouncementGroup;
import dev.l2announcer.selection.SelectionSnapshot;
import dev.l2announcer.selection.ServiceRef;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Arrays;
import java.util.List;
import java.util.TreeMap;
import java.util.TreeSet;

/** Builders for selection records in announce tests. */
final class Groups {
    private Groups() {
    }

    static InetAddress ip(String s) {
        try {
            return InetAddress.getByName(s);
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException(e);
        }
    }

    static AddressOnInterfaces addr(String ip, String... ifaces) {
        return new AddressOnInterfaces(ip(ip), List.of(ifaces));
    }

    static AnnouncementGroup group(String svc, boolean local, List<String> candidates, AddressOnInterfaces... addrs) {
        return new AnnouncementGroup("cilium-l2announce-default-" + svc, List.of(new ServiceRef("default", svc)),
                Arrays.asList(addrs), new TreeSet<>(candidates), local);
    }

    static SelectionSnapshot snapshot(long version, AnnouncementGroup... groups) {
        TreeMap<String, AnnouncementGroup> m = new TreeMap<>();
        for (AnnouncementGroup g : groups) {
            m.put(g.leaseName(), g);
        }
        return new SelectionSnapshot(version, m);
    }
}
