package dev.l2announcer.selection;

import java.net.InetAddress;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Which Lease elects each announcement group: pure, and a function of what every agent sees (the groups and
 * the Leases in the API), so that all agents, also one that just restarted, name a group alike.
 *
 * <ol>
 *   <li>A Lease named after a member ({@link LeaseNames#forService}) belongs to that member's group. Members
 *       whose names are equal (e.g. {@code team/a-web} and {@code team-a/web}) are in one group by
 *       construction, so such a Lease has one owner.</li>
 *   <li>Any other existing Lease belongs to the group that owns the smallest of its addresses (those its holder
 *       recorded, {@link LeaseAddresses}, plus those this agent's previous snapshot announced under it). So
 *       a group keeps its Lease when the member it was named after is deleted.</li>
 *   <li>A group with Leases elects itself with the oldest of them (creation time, then name): the one that has
 *       been announcing longest, whichever member is gone. A group without any is named after its first member
 *       in (namespace, name) order, which is Cilium's name for a Service that shares no IP.</li>
 * </ol>
 * Names are unique: a Lease has at most one owner, and a first member's own name, when it exists, is owned by
 * its group (rule 1).
 */
final class GroupNaming {
    private static final Comparator<ExistingLease> OLDEST = Comparator
            .comparing(ExistingLease::created, Comparator.nullsLast(Comparator.<Instant>naturalOrder()))
            .thenComparing(ExistingLease::name);

    private GroupNaming() {
    }

    /**
     * @param naturalNames per group, its members' Cilium lease names in member order (first = first member's)
     * @param addresses    per group, its addresses
     * @param leases       the announcement Leases that exist in the API
     * @param previous     the lease each address was announced under in this agent's previous snapshot
     * @return per group, its lease name
     */
    static String[] names(List<List<String>> naturalNames, List<? extends Collection<InetAddress>> addresses,
                          Collection<ExistingLease> leases, Map<InetAddress, String> previous) {
        int groups = naturalNames.size();
        String[] out = new String[groups];
        if (leases.isEmpty()) {
            for (int g = 0; g < groups; g++) {
                out[g] = naturalNames.get(g).getFirst();
            }
            return out;
        }
        Map<String, Integer> nameOwner = new HashMap<>();
        Map<InetAddress, Integer> ipOwner = new HashMap<>();
        for (int g = 0; g < groups; g++) {
            for (String n : naturalNames.get(g)) {
                nameOwner.put(n, g);
            }
            for (InetAddress ip : addresses.get(g)) {
                ipOwner.put(ip, g);
            }
        }
        Map<String, List<InetAddress>> previouslyUnder = new HashMap<>();
        previous.forEach((ip, lease) -> previouslyUnder.computeIfAbsent(lease, k -> new ArrayList<>()).add(ip));

        ExistingLease[] best = new ExistingLease[groups];
        for (ExistingLease lease : leases) {
            Integer owner = nameOwner.get(lease.name());
            if (owner == null) {
                owner = ownerOfSmallest(lease.addresses(), previouslyUnder.getOrDefault(lease.name(), List.of()),
                        ipOwner);
            }
            if (owner != null && (best[owner] == null || OLDEST.compare(lease, best[owner]) < 0)) {
                best[owner] = lease;
            }
        }
        for (int g = 0; g < groups; g++) {
            out[g] = best[g] != null ? best[g].name() : naturalNames.get(g).getFirst();
        }
        return out;
    }

    /** The group owning the smallest address of {@code a} or {@code b} that some group still has, or null. */
    private static Integer ownerOfSmallest(Set<InetAddress> a, List<InetAddress> b, Map<InetAddress, Integer> ipOwner) {
        InetAddress smallest = null;
        for (Collection<InetAddress> c : List.<Collection<InetAddress>>of(a, b)) {
            for (InetAddress ip : c) {
                if (ipOwner.containsKey(ip) && (smallest == null || IpLiterals.ORDER.compare(ip, smallest) < 0)) {
                    smallest = ip;
                }
            }
        }
        return smallest == null ? null : ipOwner.get(smallest);
    }
}
