package dev.l2announcer.election;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SortedSet;

/**
 * Deterministic order in which the candidates of free leases should try to take them. Pure: every node
 * that sees the same candidate sets and the same holder counts computes the same order, so the first
 * ranked node goes at once and the others only step in (after a bounded delay) when it does not.
 *
 * <p>Free leases are assigned greedily, in lease-hash order, to the least loaded candidate (ties broken by the
 * rendezvous hash of node and lease). That spreads S leases over N nodes within one lease of even (Cilium is
 * first come, first served: cilium#28326), while an unchanged situation keeps giving the same answer.
 */
final class CandidateRanking {
    private CandidateRanking() {}

    /**
     * Walks every lease in hash order; a lease with a live holder adds one to that holder's load, a free lease goes
     * to its least-loaded candidate. Because held leases count at the same point of the walk where the plan put
     * them, a node that sees some of the plan already carried out computes the same plan for the rest.
     *
     * @param candidates  candidates of each lease (for a lease whose holder expired, without that holder)
     * @param liveHolders the live holder of each lease that has one
     * @return for each free lease, its candidates best first
     */
    static Map<String, List<String>> rank(Map<String, ? extends SortedSet<String>> candidates, Map<String, String> liveHolders) {
        Map<String, Integer> load = new HashMap<>();
        List<String> order = new ArrayList<>(candidates.keySet());
        Map<String, Long> leaseHash = new HashMap<>(order.size() * 2);
        for (String lease : order) leaseHash.put(lease, hash(lease));
        order.sort(Comparator.comparingLong((String l) -> leaseHash.get(l)).thenComparing(Comparator.naturalOrder()));
        Map<String, List<String>> result = new HashMap<>(order.size() * 2);
        for (String lease : order) {
            String holder = liveHolders.get(lease);
            if (holder != null) {
                load.merge(holder, 1, Integer::sum);
                continue;
            }
            List<String> byHash = byRendezvous(lease, candidates.get(lease));
            if (byHash.isEmpty()) {
                result.put(lease, byHash);
                continue;
            }
            String best = byHash.getFirst();
            int bestLoad = load.getOrDefault(best, 0);
            for (String node : byHash) {
                int l = load.getOrDefault(node, 0);
                if (l < bestLoad) {
                    best = node;
                    bestLoad = l;
                }
            }
            load.merge(best, 1, Integer::sum);
            List<String> ranked = new ArrayList<>(byHash.size());
            ranked.add(best);
            for (String node : byHash) {
                if (!node.equals(best)) ranked.add(node);
            }
            result.put(lease, ranked);
        }
        return result;
    }

    /** Candidates ordered by rendezvous (highest random weight) hash of (node, lease), highest first. */
    static List<String> byRendezvous(String lease, java.util.Collection<String> candidates) {
        List<String> nodes = new ArrayList<>(candidates);
        Map<String, Long> weight = new HashMap<>(nodes.size() * 2);
        for (String n : nodes) weight.put(n, hash(n + "\u0000" + lease));
        nodes.sort(Comparator.comparingLong((String n) -> weight.get(n)).reversed().thenComparing(Comparator.naturalOrder()));
        return nodes;
    }

    /** 64-bit FNV-1a with a final avalanche mix: stable across JVMs and nodes (String.hashCode is too weak). */
    static long hash(String s) {
        long h = 0xcbf29ce484222325L;
        for (byte b : s.getBytes(StandardCharsets.UTF_8)) {
            h ^= b & 0xff;
            h *= 0x100000001b3L;
        }
        h ^= h >>> 33;
        h *= 0xff51afd7ed558ccdL;
        h ^= h >>> 33;
        h *= 0xc4ceb9fe1a85ec53L;
        h ^= h >>> 33;
        return h;
    }
}
