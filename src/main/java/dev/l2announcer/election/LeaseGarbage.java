package dev.l2announcer.election;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Which abandoned Leases this node deletes. Cilium deletes every lease with an empty holder each minute from
 * every node (pkg/l2announcer leaseGC). We delete only leases that nobody has claimed for a whole interval (a
 * candidate would have taken a released lease at once) and nobody here campaigns for, only from the node that
 * ranks first for that lease among the nodes we know, and (the engine) with a resourceVersion precondition, so N
 * nodes do not race to delete and a lease re-taken meanwhile survives. Pure.
 */
final class LeaseGarbage {
    private LeaseGarbage() {}

    /**
     * @param campaigned every lease this node has state for, with its candidates
     * @param interval   how long a lease must have had no holder
     */
    static List<LeaseRecord> collectable(String identity, Map<String, Observation> observations,
            Map<String, ? extends Collection<String>> campaigned, long now, long interval) {
        Set<String> nodes = new HashSet<>();
        nodes.add(identity);
        for (Observation o : observations.values()) if (!o.free()) nodes.add(o.holder());
        for (Collection<String> c : campaigned.values()) nodes.addAll(c);
        List<LeaseRecord> out = new ArrayList<>();
        for (Map.Entry<String, Observation> e : observations.entrySet()) {
            Observation o = e.getValue();
            if (!o.free() || campaigned.containsKey(e.getKey()) || now - o.observedAt() < interval) continue;
            if (CandidateRanking.byRendezvous(e.getKey(), nodes).getFirst().equals(identity)) out.add(o.record());
        }
        return out;
    }
}
