package dev.l2announcer.election;

import dev.l2announcer.time.Ticker;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * What the engine publishes for other threads (the announce loop, debug views, metrics): immutable values
 * written by the engine's thread after each change, read by anyone.
 */
final class LeaseViews {
    private static final long UNKNOWN = Long.MAX_VALUE;

    private record Published(String holder, boolean heldByMe, int candidates, long lastAt) {}

    private final Ticker ticker;
    private final long renewDeadlineNanos;
    private final Map<String, Published> published = new ConcurrentHashMap<>();
    private final Set<String> held = ConcurrentHashMap.newKeySet();
    /** For each lease this node holds: the monotonic moment its holding lapses without a further renew. */
    private final Map<String, Long> validUntil = new ConcurrentHashMap<>();
    /** For each lease this node holds: its candidates (who must confirm an API outage). */
    private final Map<String, Set<String>> heldCandidates = new ConcurrentHashMap<>();

    LeaseViews(Ticker ticker, long renewDeadlineNanos) {
        this.ticker = ticker;
        this.renewDeadlineNanos = renewDeadlineNanos;
    }

    /** After a change of the slot or of its observation (engine thread). */
    void publish(LeaseSlot slot, Observation seen) {
        boolean mine = slot.state.held();
        long lastAt = mine ? slot.lastRenewSentAt() : seen == null ? UNKNOWN : seen.observedAt();
        published.put(slot.name, new Published(seen == null ? "" : seen.holder(), mine, slot.candidates.size(), lastAt));
        if (mine) {
            validUntil.put(slot.name, slot.effectiveDeadline(renewDeadlineNanos));
            heldCandidates.put(slot.name, Set.copyOf(slot.candidates));
        } else {
            validUntil.remove(slot.name);
            heldCandidates.remove(slot.name);
        }
    }

    void remove(String lease) {
        published.remove(lease);
        validUntil.remove(lease);
        heldCandidates.remove(lease);
    }

    /** Whether this node holds the lease (any thread). */
    boolean held(String lease) {
        return held.contains(lease);
    }

    /** The candidates of the held leases but {@code self}. */
    Set<String> peersOfHeld(String self) {
        Set<String> out = new java.util.TreeSet<>();
        heldCandidates.values().forEach(out::addAll);
        out.remove(self);
        return out;
    }

    /** Whether the lease is held and its renew deadline is after {@code now} (any thread). */
    boolean valid(String lease, long now) {
        Long until = validUntil.get(lease);
        return until != null && now < until;
    }

    /** Nothing is valid any more (the engine stopped or failed). */
    void invalidateAll() {
        validUntil.clear();
        held.clear();
        heldCandidates.clear();
    }

    void held(String lease, boolean nowHeld) {
        if (nowHeld) held.add(lease); else {
            held.remove(lease);
            validUntil.remove(lease);
            heldCandidates.remove(lease);
        }
    }

    Set<String> held() {
        return Set.copyOf(held);
    }

    List<LeaderElection.LeaseView> list() {
        long now = ticker.nanoTime();
        List<LeaderElection.LeaseView> out = new ArrayList<>();
        published.forEach((name, p) -> out.add(new LeaderElection.LeaseView(name, p.holder(), p.heldByMe(), p.candidates(),
                Duration.ofNanos(p.lastAt() == UNKNOWN ? 0 : Math.max(0, now - p.lastAt())))));
        out.sort(Comparator.comparing(LeaderElection.LeaseView::name));
        return out;
    }
}
