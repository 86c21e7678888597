package dev.l2announcer.election;

import dev.l2announcer.config.LeaseTimings;
import dev.l2announcer.election.LeaseTransitions.Effect;
import dev.l2announcer.election.LeaseTransitions.Step;
import dev.l2announcer.time.TaskScheduler;
import dev.l2announcer.time.Ticker;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SortedSet;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.function.BiFunction;
import java.util.function.Consumer;
import java.util.function.Function;
import org.jboss.logging.Logger;

/**
 * One Lease per announcement group, elected without polling. The shell around the pure rules: it feeds each
 * lease's {@link LeaseState} the inputs (observations from the {@link LeaseStore}'s watch, answers to its
 * requests, timers, campaign changes), carries out the {@link Effect}s the transitions return and keeps each
 * lease's two timers in line with its state.
 *
 * <p>Followers never send requests: the store's one watch tells them when each Lease last changed; they note the
 * local monotonic time of that observation and try a takeover {@code leaseDurationSeconds} later (plus a bounded
 * rank delay). Holders renew every retryPeriod with a conditional write of their own last version, so the
 * cluster-wide steady-state load is S / retryPeriod.
 *
 * <p>Threads: every piece of state below is owned by the injected {@link TaskScheduler}'s single thread; public
 * methods only hand work to it, and the getters read published immutable values. Listeners are called on that
 * thread, in order per lease; they must not block.
 */
public final class LeaseElectionEngine implements LeaderElection, AutoCloseable {
    private static final Logger LOG = Logger.getLogger(LeaseElectionEngine.class);

    private final LeaseStore store;
    private final String identity;
    private final TaskScheduler scheduler;
    private final Ticker ticker;
    private final Clock clock;
    private final ElectionMetrics metrics;
    private final ElectionTimes times;
    private final ElectionOptions options;
    private final Runnable onStop;
    private final LeaseViews views;
    private final LeadershipReporter reporter;
    /** The fast path's heartbeats; null when {@code l2-announcements-heartbeat-interval} is 0. */
    private final NodeHeartbeats heartbeats;
    private final LeaseRequests requests;
    private final HeartbeatRounds rounds;
    private final OutageVotes votes;
    private volatile boolean running = true;
    private volatile boolean watchHealthy;
    private volatile Throwable failure;
    private long unhealthySince = Long.MIN_VALUE / 2; // engine thread: when the watch last went unhealthy

    // Owned by the scheduler's thread.
    private final Map<String, LeaseSlot> slots = new HashMap<>();
    private final Map<String, Observation> seen = new HashMap<>();
    private final RankingPlan plan;
    private boolean stopping;

    /**
     * @param holderAnnotations annotations written on leases this node acquires or renews (may return empty)
     * @param onStop            stops what runs the scheduler (the engine's own thread in production)
     */
    public LeaseElectionEngine(LeaseStore store, String identity, LeaseTimings timings, ElectionOptions options,
                               TaskScheduler scheduler, Ticker ticker, Clock clock, MeterRegistry registry,
                               Function<String, Map<String, String>> holderAnnotations, Runnable onStop) {
        this.store = store;
        this.identity = identity;
        this.scheduler = scheduler;
        this.ticker = ticker;
        this.clock = clock;
        this.metrics = new ElectionMetrics(registry);
        this.times = ElectionTimes.of(timings, options.rankStep(), options.maxRankDelay());
        this.options = options;
        this.onStop = onStop;
        this.views = new LeaseViews(ticker, times.renewDeadline());
        this.reporter = new LeadershipReporter(views, metrics, clock);
        this.heartbeats = timings.fastFailover() ? new NodeHeartbeats(identity, timings) : null;
        this.votes = heartbeats == null ? OutageVotes.NONE
                : heartbeats.votes(ticker, views::peersOfHeld, () -> running && failure == null);
        this.requests = new LeaseRequests(store, identity, times, clock, metrics, holderAnnotations, options.keptOnRelease());
        this.rounds = heartbeats == null ? null : new HeartbeatRounds(identity, heartbeats, requests, metrics, ticker,
                new HeartbeatRounds.Shell() {
                    @Override public void post(Runnable task) { LeaseElectionEngine.this.post(task); }
                    @Override public void after(long delayNanos, Runnable task) { LeaseElectionEngine.this.after(delayNanos, task); }
                    @Override public void transitionAll(BiFunction<LeaseState, Situation, Step> rule) {
                        for (LeaseSlot slot : new ArrayList<>(slots.values())) transition(slot, rule);
                    }
                    @Override public void reconsiderHeldBy(String node) { LeaseElectionEngine.this.reconsiderHeldBy(node); }
                    @Override public int heldCount() { return views.held().size(); }
                });
        this.plan = new RankingPlan(identity, ticker, new RankingPlan.View() {
            @Override public Collection<LeaseSlot> entries() { return slots.values(); }
            @Override public Map<String, Observation> observations() { return seen; }
            @Override public long goneAt(String node) { return heartbeats == null ? LeaseState.NEVER : heartbeats.goneAt(node); }
        });
    }

    /** Starts watching; campaigns for nothing until {@link #campaign} is called. */
    public LeaseElectionEngine start() {
        store.watch(new LeaseStore.Observer() {
            @Override public void upserted(LeaseRecord lease) { post(() -> observe(lease)); }
            @Override public void deleted(LeaseRecord lastKnown) { post(() -> observeDeleted(lastKnown)); }
        });
        post(() -> {
            checkWatch();
            after(options.gcInterval().toNanos(), this::collectGarbage);
            if (rounds != null) rounds.beat();
        });
        return this;
    }

    // ---------------------------------------------------------------- public API (any thread)

    @Override
    public void campaign(Map<String, SortedSet<String>> candidatesByLease) {
        campaign(candidatesByLease, null);
    }

    /** @param existingGroups null when unknown (then nothing counts as retired) */
    @Override
    public void campaign(Map<String, SortedSet<String>> candidatesByLease, Set<String> existingGroups) {
        Map<String, SortedSet<String>> copy = new HashMap<>();
        candidatesByLease.forEach((lease, nodes) -> {
            TreeSet<String> set = new TreeSet<>(nodes);
            set.add(identity);
            copy.put(lease, set);
        });
        Set<String> groups = existingGroups == null ? null : Set.copyOf(existingGroups);
        post(() -> applyCampaign(copy, groups));
    }

    @Override
    public AutoCloseable subscribe(Consumer<LeadershipEvent> listener) {
        return reporter.subscribe(listener);
    }

    @Override
    public Set<String> held() {
        return views.held();
    }

    @Override
    public List<LeaseView> leases() {
        return views.list();
    }

    /**
     * Lease model: held and within the renew deadline. Fast path, besides: the node heartbeat's fence holds; during
     * an API outage every candidate confirmed, the Service Leases' renew deadlines do not count (no renew can
     * succeed anywhere, so nobody can take over), the fence's outage extension does.
     */
    @Override
    public boolean mayAnnounce(String lease, long nowNanos) {
        if (!running || failure != null) return false;
        return views.valid(lease, nowNanos) && (heartbeats == null || heartbeats.fenceHolds(nowNanos));
    }

    /** The election's side of the fast path's API-outage agreement (NONE without node heartbeats). */
    @Override
    public OutageVotes outageVotes() {
        return votes;
    }

    @Override
    public boolean alive() {
        return failure == null;
    }

    /** Whether the lease watch is connected and synced, i.e. whether expiry is being judged. */
    public boolean watchConnected() {
        return watchHealthy;
    }

    /** Releases every held lease (successors named); completes when every request has been answered. */
    public CompletionStage<Void> release() {
        CompletableFuture<Void> released = new CompletableFuture<>();
        post(() -> releaseAll(released));
        return released;
    }

    @Override
    public void shutdown(Duration timeout) {
        if (!running) return;
        try {
            release().toCompletableFuture().get(timeout.toNanos(), TimeUnit.NANOSECONDS);
        } catch (Exception e) {
            LOG.warnf("election: not every lease was released within %s", timeout);
        }
        abandon();
    }

    @Override
    public void close() {
        shutdown(Duration.ofSeconds(5));
    }

    /** Stops everything at once without releasing anything, as a killed process would. */
    @Override
    public void abandon() {
        if (!running) return;
        running = false;
        views.invalidateAll();
        if (heartbeats != null) heartbeats.revoke();
        store.close();
        onStop.run();
    }

    // ---------------------------------------------------------------- engine thread

    private void post(Runnable task) {
        scheduler.execute(() -> safely(task));
    }

    private TaskScheduler.Cancellable after(long delayNanos, Runnable task) {
        return scheduler.schedule(() -> safely(task), Duration.ofNanos(Math.max(0, delayNanos)));
    }

    private void safely(Runnable task) {
        if (!running) return;
        try {
            task.run();
        } catch (RuntimeException e) {
            LOG.errorf(e, "election: unexpected failure on the engine thread");
        } catch (Error e) {
            // A StackOverflowError or an assertion leaves some lease's state half-updated: no further renew and
            // no Lost for it. Stop trusting the whole election: nothing may be announced any more (the datapath's
            // fence closes now), nothing is released (leases expire), liveness fails and the pod restarts.
            failure = e;
            LOG.errorf(e, "election: fatal failure on the engine thread; stopping, every lease is abandoned");
            abandon();
        }
    }

    /**
     * Expiry is judged only while the watch is connected and synced. After a real gap (see
     * {@link LeaseTimings#watchGapThatRestartsExpiry()}) every observation restarts at now: a follower that was
     * blind that long cannot know whether the holder renewed meanwhile. A routine re-watch keeps them.
     */
    private void checkWatch() {
        boolean healthy = store.watchHealthy();
        if (healthy != watchHealthy) {
            watchHealthy = healthy;
            long now = ticker.nanoTime();
            if (healthy) {
                resync(now - unhealthySince >= times.watchGap());
            } else {
                unhealthySince = now;
                if (heartbeats != null) heartbeats.forgetStream();
                LOG.infof("election: lease watch disconnected, takeovers paused");
            }
        }
        after(options.watchCheckInterval().toNanos(), this::checkWatch);
    }

    private void resync(boolean restartExpiry) {
        // The watch's notifications can trail its store after a (re)list: take the store as the truth.
        for (LeaseRecord lease : store.cached()) {
            if (NodeHeartbeats.isHeartbeat(lease.name())) {
                if (rounds != null) rounds.cached(lease);
            } else {
                remember(lease);
            }
        }
        long now = ticker.nanoTime();
        if (restartExpiry) {
            seen.replaceAll((name, o) -> o.restartedAt(now));
            if (heartbeats != null) heartbeats.restartObservations(now);
        }
        plan.invalidate();
        for (LeaseSlot slot : new ArrayList<>(slots.values())) {
            transition(slot, restartExpiry ? LeaseTransitions::resynced : LeaseTransitions::reconsider);
        }
    }

    private void observe(LeaseRecord lease) {
        if (NodeHeartbeats.isHeartbeat(lease.name())) {
            if (rounds != null) rounds.delivered(lease);
            return;
        }
        if (!remember(lease)) return;
        LeaseSlot slot = slots.get(lease.name());
        if (slot != null) transition(slot, (st, s) -> LeaseTransitions.observed(st, s, false));
    }

    private void observeDeleted(LeaseRecord lease) {
        if (NodeHeartbeats.isHeartbeat(lease.name())) return; // the node's expiry runs on from its last version
        Observation prev = seen.get(lease.name());
        if (prev != null && prev.record().newerThan(lease.resourceVersion())) return; // re-created since
        forgetObservation(lease.name());
        LeaseSlot slot = slots.get(lease.name());
        if (slot != null) transition(slot, (st, s) -> LeaseTransitions.observed(st, s, true));
    }

    /** Takes a version from the watch or a response as the newest one; false if it was not newer. */
    private boolean remember(LeaseRecord lease) {
        Observation prev = seen.get(lease.name());
        if (prev != null && !lease.newerThan(prev.record().resourceVersion())) return false;
        seen.put(lease.name(), Observation.of(lease, ticker.nanoTime(), times.leaseSeconds(), prev));
        plan.invalidate();
        LeaseSlot slot = slots.get(lease.name());
        if (slot != null) publish(slot);
        return true;
    }

    private void forgetObservation(String name) {
        seen.remove(name);
        plan.invalidate();
    }

    private void applyCampaign(Map<String, SortedSet<String>> wanted, Set<String> existingGroups) {
        if (stopping) return;
        List<LeaseSlot> droppedHeld = new ArrayList<>();
        for (LeaseSlot slot : slots.values()) if (slot.state.held() && !wanted.containsKey(slot.name)) droppedHeld.add(slot);
        nameSuccessors(droppedHeld);
        for (LeaseSlot slot : new ArrayList<>(slots.values())) {
            if (!wanted.containsKey(slot.name) && slot.campaigning) {
                slot.campaigning = false;
                slot.retired = existingGroups != null && !existingGroups.contains(slot.name);
                transition(slot, LeaseTransitions::dropped);
            }
        }
        List<LeaseSlot> toDecide = new ArrayList<>();
        wanted.forEach((name, candidates) -> {
            LeaseSlot slot = slots.computeIfAbsent(name, LeaseSlot::new);
            slot.candidates = candidates;
            slot.campaigning = true;
            slot.retired = false;
            toDecide.add(slot);
        });
        plan.reset();
        for (LeaseSlot slot : toDecide) transition(slot, LeaseTransitions::reconsider);
        countCandidates();
    }

    private void releaseAll(CompletableFuture<Void> done) {
        List<LeaseSlot> held = new ArrayList<>();
        for (LeaseSlot slot : slots.values()) if (slot.state.held()) held.add(slot);
        nameSuccessors(held);
        // A leaving node judges no expiry and its releases carry the resourceVersion of its own last write: stop the
        // watch now, so the API server and this process do not serialise and decode every handover event once more
        // while the leases are being released.
        store.stopWatch();
        watchHealthy = false;
        stopping = true;
        List<CompletableFuture<Void>> pending = new ArrayList<>();
        for (LeaseSlot slot : new ArrayList<>(slots.values())) {
            slot.campaigning = false;
            pending.add(slot.settled);
            transition(slot, LeaseTransitions::dropped);
        }
        CompletableFuture.allOf(pending.toArray(CompletableFuture[]::new)).whenComplete((v, e) -> done.complete(null));
    }

    /** Names, for each lease about to be released, the candidate every node will rank first once it is free. */
    private void nameSuccessors(List<LeaseSlot> releasing) {
        if (releasing.isEmpty() || !watchHealthy) return;
        Set<String> names = new HashSet<>();
        for (LeaseSlot slot : releasing) names.add(slot.name);
        Map<String, String> successors = plan.successors(names, ticker.nanoTime());
        for (LeaseSlot slot : releasing) slot.successor = successors.get(slot.name);
    }

    private void collectGarbage() {
        if (watchHealthy && !stopping) {
            Map<String, SortedSet<String>> campaigned = new HashMap<>();
            slots.forEach((name, slot) -> campaigned.put(name, slot.candidates));
            for (LeaseRecord lease : LeaseGarbage.collectable(identity, seen, campaigned, ticker.nanoTime(),
                    options.gcInterval().toNanos())) {
                requests.delete(lease).thenAccept(r -> {
                    if (!r.ok()) LOG.debugf("election: GC of %s: %s", lease.name(), r.error());
                });
            }
        }
        after(options.gcInterval().toNanos(), this::collectGarbage);
    }

    // ---------------------------------------------------------------- transitions and effects

    private void transition(LeaseSlot slot, BiFunction<LeaseState, Situation, Step> rule) {
        apply(slot, rule.apply(slot.state, situation(slot)));
    }

    private Situation situation(LeaseSlot slot) {
        long now = ticker.nanoTime();
        Candidacy candidacy = plan.candidacy(slot, now);
        Observation o = seen.get(slot.name);
        String holder = o == null || o.free() ? null : o.holder();
        Situation.HolderLiveness liveness = holder == null || heartbeats == null ? Situation.HolderLiveness.UNKNOWN
                : new Situation.HolderLiveness(heartbeats.goneAt(holder), heartbeats.holdOffUntil(holder),
                        heartbeats.licensedUntil(holder), now + heartbeats.interval(), heartbeats.expiryHoldOffUntil(holder));
        return new Situation(slot.name, identity, now, o, slot.campaigning, stopping, watchHealthy, candidacy, times,
                slot.retired, liveness, heartbeats != null && heartbeats.quarantined(now),
                heartbeats == null ? Situation.UNKNOWN_FLOOR : heartbeats.streamFloor());
    }

    private void apply(LeaseSlot slot, Step step) {
        slot.state = step.next();
        for (Effect effect : step.effects()) execute(slot, effect);
        if (slots.get(slot.name) != slot) return; // forgotten
        slot.syncTimers(times.retry(), times.renewDeadline(), timers(slot));
        publish(slot);
    }

    private void execute(LeaseSlot slot, Effect effect) {
        switch (effect) {
            case Effect.Write w -> requests.acquire(slot, seen.get(slot.name)).thenAccept(r -> post(() -> writeAnswered(slot, r)));
            case Effect.Renew r -> requests.renew(slot, r.mine()).thenAccept(res -> post(() -> writeAnswered(slot, res)));
            case Effect.Reread r -> {
                Answer rule = slot.state instanceof LeaseState.Releasing ? LeaseTransitions::releaseAnswered : LeaseTransitions::reread;
                requests.read(slot.name).thenAccept(res -> post(() -> answered(slot, res, rule)));
            }
            case Effect.Delete d -> requests.delete(d.base()).thenAccept(res -> post(() -> answered(slot, res, LeaseTransitions::releaseAnswered)));
            case Effect.Release r -> requests.release(slot, r.base(), heartbeats != null)
                    .thenAccept(res -> post(() -> answered(slot, res, LeaseTransitions::releaseAnswered)));
            case Effect.Acquired a -> {
                // Valid before anyone hears of it: the announce loop's first GARP / NA asks the fence at once.
                publish(slot);
                reporter.acquired(slot.name,
                        a.freeSince() == LeaseState.NOT_FREE ? LeaseState.NOT_FREE : ticker.nanoTime() - a.freeSince());
            }
            case Effect.Lost l -> reporter.lost(slot.name, l.reason());
            case Effect.Released r -> reporter.released(slot.name);
            case Effect.ClaimHeartbeat c -> rounds.claim(c.node());
            case Effect.Forget f -> forget(slot);
        }
    }

    private void writeAnswered(LeaseSlot slot, LeaseStore.Result r) {
        boolean renewal = slot.state instanceof LeaseState.Renewing
                || slot.state instanceof LeaseState.Acquiring a && a.renewal();
        if (r.ok()) {
            slot.annotationKeys = slot.pendingKeys;
        } else {
            if (renewal) metrics.renewFailures.increment();
            LOG.debugf("election: writing %s failed: %s %s", slot.name, r.outcome(), r.error());
        }
        answered(slot, r, LeaseTransitions::written);
    }

    /** A transition rule for the answer to a request. */
    @FunctionalInterface
    private interface Answer {
        Step apply(LeaseState state, LeaseStore.Result result, Situation situation);
    }

    /** Takes a successful answer as the newest observation (and a 404 as absence), then runs the rule. */
    private void answered(LeaseSlot slot, LeaseStore.Result r, Answer rule) {
        if (r.ok() && r.lease() != null) {
            remember(r.lease());
        } else if (r.outcome() == LeaseStore.Outcome.NOT_FOUND) {
            forgetObservation(slot.name);
        }
        apply(slot, rule.apply(slot.state, r, situation(slot)));
    }


    /** The slot's timers run the wake and deadline transitions. */
    private LeaseSlot.Timers timers(LeaseSlot slot) {
        return LeaseSlot.Timers.of(
                at -> after(at - ticker.nanoTime(), () -> {
                    slot.wakeFired();
                    transition(slot, LeaseTransitions::woken);
                }),
                at -> after(at - ticker.nanoTime(), () -> {
                    slot.deadlineFired();
                    long now = ticker.nanoTime();
                    if (heartbeats != null && slot.state.held() && deferDeadline(slot, now)) return;
                    transition(slot, LeaseTransitions::deadlinePassed);
                }));
    }

    /**
     * Fast path: a renew deadline that passes while this node cannot reach the API is put off one interval at a
     * time (nobody can take a lease over without the API; the heartbeat fence, extended only by a confirmed
     * common outage, decides whether we answer). Once the API is back, a renew gets one more interval before the
     * deadline counts, or, after a confirmed outage, until {@link NodeHeartbeats#returnDeadline} (renewDeadline
     * after the last round every candidate confirmed, who hold off their expiry takeovers a lease duration): the
     * renewals of every held lease queue behind the API server's backlog and the client's rate limit, and one
     * interval was measured to lose most of them (fault suite, 500 Services).
     *
     * @return true when the deadline was put off
     */
    private boolean deferDeadline(LeaseSlot slot, long now) {
        boolean reachable = heartbeats.apiReachable(now);
        if (reachable && (!slot.deferred() || slot.lastChanceTaken())) return false;
        long at = now + heartbeats.interval();
        slot.deferDeadline(reachable ? Math.max(at, heartbeats.returnDeadline()) : at, now);
        if (reachable) transition(slot, LeaseTransitions::woken); // renew at once
        else apply(slot, Step.stay(slot.state));
        return true;
    }

    private void reconsiderHeldBy(String node) {
        for (LeaseSlot slot : new ArrayList<>(slots.values())) {
            Observation o = seen.get(slot.name);
            if (o != null && node.equals(o.holder())) transition(slot, LeaseTransitions::reconsider);
        }
    }

    private void forget(LeaseSlot slot) {
        slot.cancelTimers();
        if (slots.get(slot.name) == slot) slots.remove(slot.name);
        views.remove(slot.name);
        slot.settled.complete(null);
        countCandidates();
    }

    private void publish(LeaseSlot slot) {
        views.publish(slot, seen.get(slot.name));
    }

    private void countCandidates() {
        metrics.candidates.set((int) slots.values().stream().filter(s -> s.campaigning).count());
    }
}
