package dev.l2announcer.election;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

class CandidateRankingTest {
    static Map<String, SortedSet<String>> leases(int s, int n) {
        TreeSet<String> nodes = new TreeSet<>();
        for (int i = 0; i < n; i++) nodes.add("node-" + i);
        Map<String, SortedSet<String>> m = new TreeMap<>();
        for (int i = 0; i < s; i++) m.put("cilium-l2announce-ns-svc-" + i, nodes);
        return m;
    }

    static Map<String, Integer> firsts(Map<String, List<String>> plan) {
        Map<String, Integer> count = new TreeMap<>();
        plan.values().forEach(order -> count.merge(order.getFirst(), 1, Integer::sum));
        return count;
    }

    @Test
    void freeLeasesSpreadWithinOneOfEven() {
        for (int[] sn : new int[][] {{100, 3}, {1000, 10}, {7, 3}}) {
            var plan = CandidateRanking.rank(leases(sn[0], sn[1]), Map.of());
            var counts = firsts(plan);
            assertThat(counts).hasSize(Math.min(sn[0], sn[1]));
            int max = counts.values().stream().max(Integer::compare).orElseThrow();
            int min = counts.values().stream().min(Integer::compare).orElseThrow();
            assertThat(max - min).as("S=%d N=%d %s", sn[0], sn[1], counts).isLessThanOrEqualTo(1);
        }
    }

    @Test
    void partlyCarriedOutPlanGivesTheSameAnswerForTheRest() {
        var all = leases(60, 4);
        var full = CandidateRanking.rank(all, Map.of());
        Map<String, String> holders = new HashMap<>();
        full.entrySet().stream().limit(25).forEach(e -> holders.put(e.getKey(), e.getValue().getFirst()));
        var rest = CandidateRanking.rank(all, holders);
        rest.forEach((lease, order) -> assertThat(order).isEqualTo(full.get(lease)));
        assertThat(rest).hasSize(35);
    }

    @Test
    void deadHolderLeasesGoToTheLeastLoadedSurvivors() {
        var all = leases(30, 3);
        Map<String, String> holders = new HashMap<>();
        Map<String, SortedSet<String>> candidates = new HashMap<>(all);
        int i = 0;
        for (String l : all.keySet()) {
            String holder = "node-" + (i++ % 3);
            if (holder.equals("node-0")) {
                TreeSet<String> live = new TreeSet<>(all.get(l));
                live.remove("node-0");
                candidates.put(l, live);
            } else {
                holders.put(l, holder);
            }
        }
        var plan = CandidateRanking.rank(candidates, holders);
        assertThat(plan).hasSize(10);
        var counts = firsts(plan);
        assertThat(counts.keySet()).doesNotContain("node-0");
        assertThat(counts.values()).allSatisfy(c -> assertThat(c).isBetween(4, 6));
    }

    @Test
    void rendezvousOrderIsStableAndDependsOnTheLease() {
        var nodes = List.of("a", "b", "c", "d", "e");
        assertThat(CandidateRanking.byRendezvous("x", nodes)).isEqualTo(CandidateRanking.byRendezvous("x", nodes.reversed()));
        long distinctFirsts = java.util.stream.IntStream.range(0, 50)
                .mapToObj(i -> CandidateRanking.byRendezvous("lease-" + i, nodes).getFirst()).distinct().count();
        assertThat(distinctFirsts).isEqualTo(5);
    }
}
