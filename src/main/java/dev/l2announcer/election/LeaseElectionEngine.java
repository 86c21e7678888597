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
import java.util.concurrent.CopyOnWriteArrayList;
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

    /**
     * @param gcInterval         how often to delete Leases with an empty holder that nobody campaigns for (Cilium: 1 min)
     * @param rankStep           extra wait per rank for lower-ranked candidates of a free lease
     * @param maxRankDelay       upper bound of the rank wait (well under retryPeriod)
     * @param watchCheckInterval how often the watch's health is looked at (a reconnect pauses takeovers)
     * @param keptOnRelease      holder annotations a release keeps (they describe the group, not the holder)
     */
    public record Options(Duration gcInterval, Duration rankStep, Duration maxRankDelay, Duration watchCheckInterval,
                          Set<String> keptOnRelease) {
        public Options {
            keptOnRelease = Set.copyOf(keptOnRelease);
        }

        public static Options defaults(LeaseTimings timings) {
            return new Options(Duration.ofMinutes(1), timings.rankStep(), timings.maxRankDelay(), Duration.ofMillis(20), Set.of());
        }

        public Options keeping(Set<String> annotationKeys) {
            return new Options(gcInterval, rankStep, maxRankDelay, watchCheckInterval, annotationKeys);
        }
    }

    private final LeaseStore store;
    private final String identity;
    private final TaskScheduler scheduler;
    private final Ticker ticker;
    private final Clock clock;
    private final Function<String, Map<String, String>> holderAnnotations;
    private final ElectionMetrics metrics;
    private final ElectionTimes times;
    private final Options options;
    private final Runnable onStop;
    private final List<Consumer<LeadershipEvent>> listeners = new CopyOnWriteArrayList<>();
    private final LeaseViews views;
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
    public LeaseElectionEngine(LeaseStore store, String identity, LeaseTimings timings, Options options,
                               TaskScheduler scheduler, Ticker ticker, Clock clock, MeterRegistry registry,
                               Function<String, Map<String, String>> holderAnnotations, Runnable onStop) {
        this.store = store;
        this.identity = identity;
        this.scheduler = scheduler;
        this.ticker = ticker;
        this.clock = clock;
        this.holderAnnotations = holderAnnotations;
        this.metrics = new ElectionMetrics(registry);
        this.times = ElectionTimes.of(timings, options.rankStep(), options.maxRankDelay());
        this.options = options;
        this.onStop = onStop;
        this.views = new LeaseViews(ticker, times.renewDeadline());
        this.plan = new RankingPlan(identity, ticker, new RankingPlan.View() {
            @Override public Collection<LeaseSlot> entries() { return slots.values(); }
            @Override public Map<String, Observation> observations() { return seen; }
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
        });
        return this;
    }

    public String identity() {
        return identity;
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
        listeners.add(listener);
        return () -> listeners.remove(listener);
    }

    @Override
    public Set<String> held() {
        return views.held();
    }

    @Override
    public List<LeaseView> leases() {
        return views.list();
    }

    @Override
    public boolean mayAnnounce(String lease, long nowNanos) {
        return running && failure == null && views.valid(lease, nowNanos);
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
                LOG.infof("election: lease watch disconnected, takeovers paused");
            }
        }
        after(options.watchCheckInterval().toNanos(), this::checkWatch);
    }

    private void resync(boolean restartExpiry) {
        // The watch's notifications can trail its store after a (re)list: take the store as the truth.
        for (LeaseRecord lease : store.cached()) remember(lease);
        long now = ticker.nanoTime();
        if (restartExpiry) seen.replaceAll((name, o) -> o.restartedAt(now));
        plan.invalidate();
        for (LeaseSlot slot : new ArrayList<>(slots.values())) {
            transition(slot, restartExpiry ? LeaseTransitions::resynced : LeaseTransitions::reconsider);
        }
    }

    private void observe(LeaseRecord lease) {
        if (!remember(lease)) return;
        LeaseSlot slot = slots.get(lease.name());
        if (slot != null) transition(slot, (st, s) -> LeaseTransitions.observed(st, s, false));
    }

    private void observeDeleted(LeaseRecord lease) {
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
                metrics.request("delete");
                store.delete(lease).whenComplete((r, e) -> {
                    if (r != null && !r.ok()) LOG.debugf("election: GC of %s: %s", lease.name(), r.error());
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
        Candidacy candidacy = new Candidacy() {
            @Override public SortedSet<String> candidates() { return slot.candidates; }
            @Override public int rank() { return plan.rankOf(slot.name, now); }
            @Override public long planRefreshAt() { return plan.refreshAt(); }
            @Override public String firstRanked() { return plan.firstRanked(slot.name); }
            @Override public boolean alive(String node) { return plan.alive(node, now); }
            @Override public boolean dead(String node) { return plan.dead(node, now); }
        };
        return new Situation(slot.name, identity, now, seen.get(slot.name), slot.campaigning, stopping, watchHealthy,
                candidacy, times, slot.retired);
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
            case Effect.Write w -> write(slot);
            case Effect.Renew r -> update(slot, r.mine());
            case Effect.Reread r -> {
                Answer rule = slot.state instanceof LeaseState.Releasing ? LeaseTransitions::releaseAnswered : LeaseTransitions::reread;
                metrics.request("get");
                store.get(slot.name).whenComplete((res, e) -> post(() -> answered(slot, result(res, e), rule)));
            }
            case Effect.Delete d -> {
                metrics.request("delete");
                store.delete(d.base()).whenComplete((res, e) -> post(() -> answered(slot, result(res, e),
                        LeaseTransitions::releaseAnswered)));
            }
            case Effect.Release r -> {
                Set<String> drop = new HashSet<>(slot.annotationKeys);
                drop.removeAll(options.keptOnRelease());
                LeaseContent body = LeaseRecords.released(r.base().content(), clock.instant(), drop, slot.successor);
                metrics.request("update");
                store.update(r.base(), body).whenComplete((res, e) -> post(() -> answered(slot, result(res, e),
                        LeaseTransitions::releaseAnswered)));
            }
            case Effect.Acquired a -> {
                views.held(slot.name, true);
                // Valid before anyone hears of it: the announce loop's first GARP / NA asks the fence at once.
                publish(slot);
                metrics.held.incrementAndGet();
                metrics.acquired.increment();
                if (a.freeSince() != LeaseState.NOT_FREE) {
                    metrics.acquireLatency.record(ticker.nanoTime() - a.freeSince(), TimeUnit.NANOSECONDS);
                }
                emit(new LeadershipEvent.Acquired(slot.name, clock.instant()));
            }
            case Effect.Lost l -> {
                views.held(slot.name, false);
                metrics.held.decrementAndGet();
                metrics.lost.increment();
                LOG.infof("election: lost %s: %s", slot.name, l.reason());
                emit(new LeadershipEvent.Lost(slot.name, l.reason(), clock.instant()));
            }
            case Effect.Released r -> {
                views.held(slot.name, false);
                metrics.held.decrementAndGet();
                metrics.released.increment();
                emit(new LeadershipEvent.Released(slot.name, clock.instant()));
            }
            case Effect.Forget f -> forget(slot);
        }
    }

    /** Acquire: create when nothing is observed, else a conditional update of the observed version. */
    private void write(LeaseSlot slot) {
        Observation o = seen.get(slot.name);
        if (o != null) {
            update(slot, o.record());
            return;
        }
        Map<String, String> annotations = annotationsFor(slot.name);
        slot.pendingKeys = annotations.keySet();
        metrics.request("create");
        store.create(slot.name, LeaseRecords.created(identity, times.leaseSeconds(), clock.instant(), annotations))
                .whenComplete((res, e) -> post(() -> writeAnswered(slot, result(res, e))));
    }

    private void update(LeaseSlot slot, LeaseRecord base) {
        Map<String, String> annotations = annotationsFor(slot.name);
        Set<String> drop = new HashSet<>(slot.annotationKeys);
        drop.removeAll(annotations.keySet());
        slot.pendingKeys = annotations.keySet();
        LeaseContent body = LeaseRecords.acquiredOrRenewed(base.content(), identity, times.leaseSeconds(), clock.instant(),
                annotations, drop);
        metrics.request("update");
        store.update(base, body).whenComplete((res, e) -> post(() -> writeAnswered(slot, result(res, e))));
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

    private static LeaseStore.Result result(LeaseStore.Result r, Throwable e) {
        return e == null ? r : LeaseStore.Result.failed(LeaseStore.Outcome.FAILED, e.toString(), 0);
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
                    transition(slot, LeaseTransitions::deadlinePassed);
                }));
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

    private Map<String, String> annotationsFor(String lease) {
        try {
            Map<String, String> a = holderAnnotations.apply(lease);
            return a == null ? Map.of() : Map.copyOf(a);
        } catch (RuntimeException e) {
            LOG.warnf(e, "election: holder annotations for %s failed", lease);
            return Map.of();
        }
    }

    private void emit(LeadershipEvent event) {
        for (Consumer<LeadershipEvent> l : listeners) {
            try {
                l.accept(event);
            } catch (RuntimeException e) {
                LOG.errorf(e, "election: listener failed on %s", event);
            }
        }
    }
}
