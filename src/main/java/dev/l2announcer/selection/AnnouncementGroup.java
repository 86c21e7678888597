package dev.l2announcer.selection;

import java.util.List;
import java.util.SortedSet;

/**
 * The unit of election: Services that share an IP (transitively) form one group with one Lease,
 * so only one node ever answers for an IP. Which Lease: {@link GroupNaming} (the oldest existing Lease that
 * belongs to the group, else the one named after its first member in (namespace, name) order).
 *
 * @param leaseName      {@code cilium-l2announce-<ns>-<svc>} of a member, or of a former member whose Lease the
 *                       group kept
 * @param services       members, sorted
 * @param addresses      IPs with the local interfaces selected for them (empty interface lists
 *                       when this node is not a candidate)
 * @param candidates     node names (cluster-wide) that may announce this group, sorted
 * @param localCandidate whether this node is one of the candidates; it campaigns only when it also has an
 *                       interface for one of the addresses, else it reports why it cannot announce
 */
public record AnnouncementGroup(
        String leaseName,
        List<ServiceRef> services,
        List<AddressOnInterfaces> addresses,
        SortedSet<String> candidates,
        boolean localCandidate) {

    public AnnouncementGroup {
        services = List.copyOf(services);
        addresses = List.copyOf(addresses);
        // Copied unless already an immutable copy, which groups with the same candidates share.
        candidates = ImmutableNameSet.of(candidates);
    }
}
