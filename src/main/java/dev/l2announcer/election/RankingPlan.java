package dev.l2announcer.election;

import dev.l2announcer.time.Ticker;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SortedSet;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;

/**
 * The ranking of every free lease this node campaigns for ({@link CandidateRanking#rank}), and which holders are
 * alive or dead, as this node sees them. A plan costs O(leases); with a thousand leases released at once,
 * recomputing it for every release event was most of a handover's CPU, so it is recomputed at most every 20 ms
 * and never takes more than ~10% of the engine's thread. Owned by the engine's thread.
 */
final class RankingPlan {
    private static final long MAX_AGE_NANOS = TimeUnit.MILLISECONDS.toNanos(20);

    /** One lease of this node as the ranking needs it. */
    interface Entry {
        String name();

        SortedSet<String> candidates();

        boolean campaigning();

        boolean held();
    }

    /** The engine's leases and observations. */
    interface View {
        Collection<? extends Entry> entries();

        Map<String, Observation> observations();

        /** When a holder counts as gone by its node heartbeat (NEVER without one). */
        default long goneAt(String node) {
            return LeaseState.NEVER;
        }
    }

    private final String identity;
    private final Ticker ticker;
    private final View view;
    private Map<String, List<String>> plan = Map.of();
    private long planAt = Long.MIN_VALUE;
    private boolean dirty = true;
    private long costNanos;
    private Set<String> alive = Set.of();
    private Set<String> dead = Set.of();
    private long livenessAt = Long.MIN_VALUE;

    /** @param ticker measures the plan's own cost too (a manual ticker makes it free, hence deterministic) */
    RankingPlan(String identity, Ticker ticker, View view) {
        this.identity = identity;
        this.ticker = ticker;
        this.view = view;
    }

    /** Something the plan depends on changed (an observation, a campaign). */
    void invalidate() {
        dirty = true;
    }

    /** The campaign changed: the plan must see the whole new campaign before anything is ranked. */
    void reset() {
        plan = Map.of();
        dirty = true;
        planAt = Long.MIN_VALUE;
    }

    /** This node's rank for the free lease, or -1 when the plan may not be recomputed before {@link #refreshAt}. */
    int rankOf(String lease, long now) {
        List<String> order = plan.get(lease);
        if ((order == null || dirty) && now >= refreshAt()) {
            long t0 = ticker.nanoTime();
            plan = rankFree(Set.of(), now);
            computeLiveness(now);
            planAt = now;
            dirty = false;
            costNanos = ticker.nanoTime() - t0;
            order = plan.get(lease);
            if (order == null) return 0;
        }
        if (order == null) return -1;
        int rank = order.indexOf(identity);
        return rank < 0 ? order.size() : rank;
    }

    long refreshAt() {
        return planAt + Math.max(MAX_AGE_NANOS, 10 * costNanos);
    }

    String firstRanked(String lease) {
        List<String> order = plan.get(lease);
        return order == null || order.isEmpty() ? null : order.getFirst();
    }

    boolean alive(String node, long now) {
        refreshLiveness(now);
        return alive.contains(node);
    }

    boolean dead(String node, long now) {
        refreshLiveness(now);
        return dead.contains(node);
    }

    /** What ranking says about {@code entry} at {@code now}, computed lazily (the plan only when a rank is asked). */
    Candidacy candidacy(Entry entry, long now) {
        return new Candidacy() {
            @Override public SortedSet<String> candidates() { return entry.candidates(); }
            @Override public int rank() { return rankOf(entry.name(), now); }
            @Override public long planRefreshAt() { return refreshAt(); }
            @Override public String firstRanked() { return RankingPlan.this.firstRanked(entry.name()); }
            @Override public boolean alive(String node) { return RankingPlan.this.alive(node, now); }
            @Override public boolean dead(String node) { return RankingPlan.this.dead(node, now); }
            @Override public boolean beating(String node) {
                long goneAt = node == null ? LeaseState.NEVER : view.goneAt(node);
                return goneAt != LeaseState.NEVER && now < goneAt;
            }
        };
    }

    /** For each lease about to be released, the candidate every node will rank first once it is free (or null). */
    Map<String, String> successors(Set<String> releasing, long now) {
        Map<String, List<String>> ranked = rankFree(releasing, now);
        Map<String, String> out = new HashMap<>();
        for (String lease : releasing) {
            List<String> order = ranked.get(lease);
            out.put(lease, order == null || order.isEmpty() ? null : order.getFirst());
        }
        return out;
    }

    /** Alive and dead holders, at most every 20 ms (O(leases), far cheaper than a plan). */
    private void refreshLiveness(long now) {
        if (now >= livenessAt + MAX_AGE_NANOS) computeLiveness(now);
    }

    private void computeLiveness(long now) {
        livenessAt = now;
        Set<String> live = new HashSet<>();
        Set<String> expiredHolders = new HashSet<>();
        for (Observation o : view.observations().values()) {
            if (o.free()) continue;
            if (gone(o, now)) expiredHolders.add(o.holder()); else live.add(o.holder());
        }
        expiredHolders.removeAll(live);
        alive = live;
        dead = expiredHolders;
    }

    /**
     * The deterministic ranking of every free lease; leases in {@code releasing} (held by us, about to be
     * released) count as free and without us.
     */
    private Map<String, List<String>> rankFree(Set<String> releasing, long now) {
        Map<String, SortedSet<String>> candidates = new HashMap<>();
        Map<String, String> liveHolders = new HashMap<>();
        for (Entry e : view.entries()) {
            boolean leaving = releasing.contains(e.name());
            if (!e.campaigning() && !leaving) continue;
            Observation o = view.observations().get(e.name());
            if (leaving) {
                candidates.put(e.name(), without(e.candidates(), identity));
            } else if (e.held()) {
                liveHolders.put(e.name(), identity);
                candidates.put(e.name(), e.candidates());
            } else if (o == null) {
                candidates.put(e.name(), e.candidates());
            } else if (o.free()) {
                // Released: the node that let it go is leaving or no longer wants it; never rank it first.
                boolean byOther = o.releasedBy() != null && !o.releasedBy().equals(identity);
                candidates.put(e.name(), byOther ? without(e.candidates(), o.releasedBy()) : e.candidates());
            } else if (gone(o, now)) {
                candidates.put(e.name(), o.holder().equals(identity) ? e.candidates() : without(e.candidates(), o.holder()));
            } else {
                liveHolders.put(e.name(), o.holder());
                candidates.put(e.name(), e.candidates());
            }
        }
        return CandidateRanking.rank(candidates, liveHolders);
    }

    /** The holder no longer counts: its Service Lease expired, or its node heartbeat did. */
    private boolean gone(Observation o, long now) {
        return o.expired(now) || view.goneAt(o.holder()) <= now;
    }

    private static SortedSet<String> without(SortedSet<String> nodes, String node) {
        TreeSet<String> out = new TreeSet<>(nodes);
        out.remove(node);
        return out;
    }
}
