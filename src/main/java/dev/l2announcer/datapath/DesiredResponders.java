package dev.l2announcer.datapath;

import java.util.Set;

/** The full set of (IP, ifindex) this node must answer ARP for; the datapath converges to it. */
public record DesiredResponders(Set<ResponderEntry> entries) {
    public DesiredResponders {
        entries = Set.copyOf(entries);
    }
}
