package dev.l2announcer.election;

import dev.l2announcer.selection.LeaseNames;
import dev.l2announcer.config.AgentConfig;
import dev.l2announcer.time.Ticker;
import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.RequestConfigBuilder;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.PriorityQueue;
import java.util.Set;
import java.util.SortedSet;
import java.util.TreeSet;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BiConsumer;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.concurrent.locks.LockSupport;
import org.jboss.logging.Logger;

/**
 * One Lease per announcement group, elected without polling.
 *
 * <p>Followers never send requests: one shared informer on the namespace's {@code cilium-l2announce-*} Leases tells
 * them when each Lease last changed, they note the local monotonic time of that observation and try a takeover
 * {@code leaseDurationSeconds} later (plus a bounded rank delay). Holders renew every retryPeriod with a
 * conditional PUT carrying the resourceVersion of their own last write, so the cluster-wide steady-state load is
 * S / retryPeriod. A holder reports {@link LeadershipEvent.Lost} when its last successful renew was sent
 * renewDeadline ago, from a timer that does not wait for the (possibly hanging) request.
 *
 * <p>Threads: one event-loop thread owns all state (timers, observations, per-lease state); blocking client
 * calls run on a small bounded pool and post their result back to the loop. Listeners are called on the loop
 * thread, in order per lease; they must not block.
 */
public final class LeaseElectionEngine implements LeaderElection, AutoCloseable {
    /** Cilium's lease name prefix; one definition, in {@link LeaseNames}. */
    public static final String LEASE_PREFIX = LeaseNames.NAME_PREFIX;

    private static final Logger LOG = Logger.getLogger(LeaseElectionEngine.class);
    private static final long MAX_PARK_NANOS = TimeUnit.MILLISECONDS.toNanos(10);
    private static final long PLAN_MAX_AGE_NANOS = TimeUnit.MILLISECONDS.toNanos(20);

    /** Cilium's l2-announcements-lease-duration / -renew-deadline / -retry-period. */
    public record Timings(Duration leaseDuration, Duration renewDeadline, Duration retryPeriod) {
        public Timings {
            Objects.requireNonNull(leaseDuration);
            Objects.requireNonNull(renewDeadline);
            Objects.requireNonNull(retryPeriod);
            // The Lease carries whole seconds (client-go: int(LeaseDuration / time.Second)), and followers trust it.
            if (leaseDuration.toSeconds() < 1) throw new IllegalArgumentException("leaseDuration must be at least 1s");
            if (renewDeadline.compareTo(Duration.ofSeconds(leaseDuration.toSeconds())) >= 0)
                throw new IllegalArgumentException("renewDeadline must be shorter than leaseDuration (whole seconds)");
            if (retryPeriod.isZero() || retryPeriod.isNegative() || retryPeriod.compareTo(renewDeadline) >= 0)
                throw new IllegalArgumentException("retryPeriod must be positive and shorter than renewDeadline");
        }

        public static Timings of(AgentConfig config) {
            return new Timings(config.leaseDuration(), config.renewDeadline(), config.retryPeriod());
        }
    }

    /**
     * @param ioThreads   bounded pool for blocking API calls (renewals of thousands of leases are short requests)
     * @param gcInterval  how often to delete Leases with an empty holder that nobody campaigns for (Cilium: 1 min)
     * @param rankStep    extra wait per rank for lower-ranked candidates of a free lease
     * @param maxRankDelay upper bound of the rank wait (well under retryPeriod)
     */
    public record Options(int ioThreads, Duration gcInterval, Duration rankStep, Duration maxRankDelay) {
        public static Options defaults(Timings timings) {
            Duration step = min(timings.retryPeriod().dividedBy(8), Duration.ofMillis(50));
            return new Options(8, Duration.ofMinutes(1), step, timings.retryPeriod().dividedBy(2));
        }

        private static Duration min(Duration a, Duration b) {
            return a.compareTo(b) <= 0 ? a : b;
        }
    }

    private final KubernetesClient client;
    private final KubernetesClient api;
    private final String namespace;
    private final String identity;
    private final Ticker ticker;
    private final Clock clock;
    private final Function<String, Map<String, String>> holderAnnotations;
    private final ElectionMetrics metrics;
    private final long leaseNanos;
    private final long renewDeadlineNanos;
    private final long retryNanos;
    private final int leaseSeconds;
    private final long rankStepNanos;
    private final long maxRankDelayNanos;
    private final long gcNanos;

    private final Thread loopThread;
    private final ConcurrentLinkedQueue<Runnable> inbox = new ConcurrentLinkedQueue<>();
    private final ThreadPoolExecutor io;
    private final AtomicInteger ioInFlight = new AtomicInteger();
    private final SharedIndexInformer<Lease> informer;
    private final Set<String> heldNames = ConcurrentHashMap.newKeySet();
    private final List<Consumer<LeadershipEvent>> listeners = new CopyOnWriteArrayList<>();
    private volatile boolean running = true;
    private volatile boolean loopIdle;
    private volatile long nextDue = Long.MAX_VALUE;
    private volatile boolean watchConnectedView;
    private volatile boolean informerStopped;

    // Owned by the loop thread.
    private final PriorityQueue<Timer> timers = new PriorityQueue<>();
    private long timerSeq;
    private final Map<String, Seen> seen = new HashMap<>();
    private final Map<String, LeaseState> states = new HashMap<>();
    private boolean watchHealthy;
    private boolean stopping;
    private Map<String, List<String>> plan = Map.of();
    private long planAt = Long.MIN_VALUE;
    private boolean planDirty = true;
    private Set<String> aliveNodes = Set.of();
    private Set<String> deadNodes = Set.of();
    private long livenessAt = Long.MIN_VALUE;
    private long planCostNanos;

    private LeaseElectionEngine(KubernetesClient client, String namespace, String identity, Timings timings, Ticker ticker,
            Clock clock, MeterRegistry registry, Function<String, Map<String, String>> holderAnnotations, Options options) {
        this.client = client;
        this.namespace = namespace;
        this.identity = identity;
        this.ticker = ticker;
        this.clock = clock;
        this.holderAnnotations = holderAnnotations;
        this.metrics = new ElectionMetrics(registry);
        this.leaseNanos = timings.leaseDuration().toNanos();
        this.renewDeadlineNanos = timings.renewDeadline().toNanos();
        this.retryNanos = timings.retryPeriod().toNanos();
        this.leaseSeconds = (int) timings.leaseDuration().toSeconds();
        this.rankStepNanos = options.rankStep().toNanos();
        this.maxRankDelayNanos = options.maxRankDelay().toNanos();
        this.gcNanos = options.gcInterval().toNanos();
        // No client-side retries or back-off for election calls: a retried renew could land after renewDeadline.
        // Each call is bounded by renewDeadline; the lost timer does not wait for it anyway.
        this.api = client.newClient(new RequestConfigBuilder()
                        .withRequestRetryBackoffLimit(0)
                        .withRequestTimeout((int) Math.max(1, timings.renewDeadline().toMillis()))
                        .build())
                .adapt(KubernetesClient.class);
        AtomicInteger ioCount = new AtomicInteger();
        this.io = new ThreadPoolExecutor(options.ioThreads(), options.ioThreads(), 30, TimeUnit.SECONDS, new LinkedBlockingQueue<>(),
                r -> {
                    Thread t = new Thread(r, "l2a-election-io-" + ioCount.incrementAndGet());
                    t.setDaemon(true);
                    return t;
                });
        io.allowCoreThreadTimeOut(true);
        this.loopThread = new Thread(this::runLoop, "l2a-election");
        loopThread.setDaemon(true);
        this.informer = client.leases().inNamespace(namespace).runnableInformer(0);
        informer.addEventHandler(new ResourceEventHandler<>() {
            @Override
            public void onAdd(Lease lease) {
                if (ours(lease)) post(() -> observe(lease));
            }

            @Override
            public void onUpdate(Lease oldLease, Lease lease) {
                if (ours(lease)) post(() -> observe(lease));
            }

            @Override
            public void onDelete(Lease lease, boolean finalStateUnknown) {
                if (ours(lease)) post(() -> observeDeleted(lease));
            }
        });
    }

    /**
     * Starts an engine for this node. It campaigns for nothing until {@link #campaign} is called.
     *
     * @param holderAnnotations annotations written on leases this node acquires or renews (may return empty)
     */
    public static LeaseElectionEngine start(KubernetesClient client, String namespace, String identity, Timings timings,
            Ticker ticker, Clock clock, MeterRegistry registry, Function<String, Map<String, String>> holderAnnotations) {
        return start(client, namespace, identity, timings, ticker, clock, registry, holderAnnotations, Options.defaults(timings));
    }

    public static LeaseElectionEngine start(KubernetesClient client, String namespace, String identity, Timings timings,
            Ticker ticker, Clock clock, MeterRegistry registry, Function<String, Map<String, String>> holderAnnotations,
            Options options) {
        LeaseElectionEngine engine = new LeaseElectionEngine(client, namespace, identity, timings, ticker, clock, registry,
                holderAnnotations, options);
        engine.loopThread.start();
        engine.informer.start();
        engine.post(() -> engine.schedule(engine.ticker.nanoTime() + engine.gcNanos, engine::collectGarbage));
        return engine;
    }

    public String identity() {
        return identity;
    }

    // ---------------------------------------------------------------- public API (any thread)

    @Override
    public void campaign(Map<String, SortedSet<String>> candidatesByLease) {
        Map<String, SortedSet<String>> copy = new HashMap<>();
        candidatesByLease.forEach((lease, nodes) -> {
            TreeSet<String> set = new TreeSet<>(nodes);
            set.add(identity);
            copy.put(lease, set);
        });
        post(() -> applyCampaign(copy));
    }

    @Override
    public AutoCloseable subscribe(Consumer<LeadershipEvent> listener) {
        listeners.add(listener);
        return () -> listeners.remove(listener);
    }

    @Override
    public Set<String> held() {
        return Set.copyOf(heldNames);
    }

    @Override
    public List<LeaseView> leases() {
        if (Thread.currentThread() == loopThread) return views();
        CompletableFuture<List<LeaseView>> f = new CompletableFuture<>();
        post(() -> f.complete(views()));
        try {
            return f.get(2, TimeUnit.SECONDS);
        } catch (Exception e) {
            return List.of();
        }
    }

    @Override
    public void shutdown(Duration timeout) {
        if (!running) return;
        CompletableFuture<Void> released = new CompletableFuture<>();
        post(() -> releaseAll(released));
        try {
            released.get(timeout.toNanos(), TimeUnit.NANOSECONDS);
        } catch (Exception e) {
            LOG.warnf("election: not every lease was released within %s", timeout);
        }
        stopThreads();
    }

    @Override
    public void close() {
        shutdown(Duration.ofSeconds(5));
    }

    /** Stops everything at once without releasing anything, as a killed process would. */
    @Override
    public void abandon() {
        stopThreads();
    }

    /** True when nothing is queued, no timer is due and no request is in flight (tests driving a ManualTime). */
    boolean quiescent() {
        return ioInFlight.get() == 0 && loopSettled();
    }

    /** True when the loop has nothing queued and no timer due (requests may still be in flight). */
    boolean loopSettled() {
        return loopIdle && inbox.isEmpty() && nextDue > ticker.nanoTime();
    }

    /** Whether the lease watch is connected and synced, i.e. whether expiry is being judged. */
    boolean watchConnected() {
        return watchConnectedView;
    }

    private void stopThreads() {
        running = false;
        LockSupport.unpark(loopThread);
        stopInformer();
        io.shutdownNow();
    }

    private void stopInformer() {
        informerStopped = true;
        try {
            informer.stop();
        } catch (RuntimeException e) {
            LOG.debugf(e, "election: informer stop");
        }
    }

    // ---------------------------------------------------------------- loop

    private void post(Runnable task) {
        inbox.add(task);
        LockSupport.unpark(loopThread);
    }

    private void runLoop() {
        while (running) {
            Runnable task;
            while ((task = inbox.poll()) != null) safely(task);
            safely(this::pollWatch);
            long now = ticker.nanoTime();
            Timer t;
            while ((t = timers.peek()) != null && t.due <= now) {
                timers.poll();
                if (!t.cancelled) safely(t.action);
            }
            t = timers.peek();
            nextDue = t == null ? Long.MAX_VALUE : t.due;
            long wait = t == null ? MAX_PARK_NANOS : Math.min(MAX_PARK_NANOS, t.due - ticker.nanoTime());
            if (wait > 0 && inbox.isEmpty() && running) {
                loopIdle = true;
                LockSupport.parkNanos(this, wait);
                loopIdle = false;
            }
        }
    }

    private void safely(Runnable r) {
        try {
            r.run();
        } catch (RuntimeException e) {
            LOG.errorf(e, "election: unexpected failure in the event loop");
        }
    }

    private Timer schedule(long due, Runnable action) {
        Timer t = new Timer(due, timerSeq++, action);
        timers.add(t);
        return t;
    }

    private static void cancel(Timer t) {
        if (t != null) t.cancelled = true;
    }

    /** Outcome of a client call, with the monotonic time at which the pool thread sent it. */
    @FunctionalInterface
    private interface Sent<T> {
        void done(T result, Throwable error, long sentAt);
    }

    /** Runs a blocking client call on the pool and hands its outcome back to the loop. */
    private <T> void call(String verb, Callable<T> op, BiConsumer<T, Throwable> onLoop) {
        call(verb, op, (Sent<T>) (r, e, sentAt) -> onLoop.accept(r, e));
    }

    /**
     * As above, reporting when the request really left: a write queued behind a burst (a thousand acquisitions at
     * once) is sent later than it was decided, and its renewDeadline counts from the send. Counting from the send
     * is still safe: the server applies the write, and followers observe it, only after it was sent.
     */
    private <T> void call(String verb, Callable<T> op, Sent<T> onLoop) {
        metrics.request(verb);
        ioInFlight.incrementAndGet();
        try {
            io.execute(() -> {
                long sentAt = ticker.nanoTime();
                T result = null;
                Throwable error = null;
                try {
                    result = op.call();
                } catch (Throwable e) {
                    error = e;
                }
                T r = result;
                Throwable e = error;
                post(() -> {
                    ioInFlight.decrementAndGet();
                    onLoop.done(r, e, sentAt);
                });
            });
        } catch (RejectedExecutionException e) {
            ioInFlight.decrementAndGet();
            onLoop.done(null, e, ticker.nanoTime());
        }
    }

    // ---------------------------------------------------------------- watch health and observations

    /**
     * Expiry is judged only while the watch is connected and synced. After any reconnect or relist every
     * observation restarts at now: a follower that was blind cannot know whether the holder renewed meanwhile.
     */
    private void pollWatch() {
        // fabric8 7.5's isWatching() throws once the informer is stopped.
        boolean healthy = !informerStopped && informer.hasSynced() && informer.isWatching();
        if (healthy == watchHealthy) return;
        watchHealthy = healthy;
        watchConnectedView = healthy;
        if (!healthy) {
            LOG.infof("election: lease watch disconnected, takeovers paused");
            return;
        }
        // The informer's handler notifications can trail its store after a (re)list: take the store as the truth.
        for (Lease lease : informer.getStore().list()) {
            if (ours(lease)) remember(lease);
        }
        long now = ticker.nanoTime();
        for (Seen s : seen.values()) s.observedAt = now;
        planDirty = true;
        for (LeaseState st : new ArrayList<>(states.values())) {
            st.freeSince = -1;
            if (!st.held && !st.inFlight) evaluate(st);
        }
    }

    private static boolean ours(Lease lease) {
        return lease.getMetadata() != null && lease.getMetadata().getName() != null
                && lease.getMetadata().getName().startsWith(LEASE_PREFIX);
    }

    /** A Lease version from the watch or a response; older versions than the one known are ignored. */
    private void observe(Lease lease) {
        String name = lease.getMetadata().getName();
        if (!remember(lease)) return;
        Seen s = seen.get(name);
        LeaseState st = states.get(name);
        if (st == null) return;
        if (!s.holder.isEmpty()) st.freeSince = -1;
        if (st.held) {
            if (!identity.equals(s.holder)) {
                lose(st, s.holder.isEmpty() ? "lease released by another writer" : "lease taken over by " + s.holder);
                if (!st.inFlight) evaluate(st);
            }
            return;
        }
        if (!st.inFlight) evaluate(st);
    }

    /** Stores a newer version; returns false if it was not newer. */
    private boolean remember(Lease lease) {
        String name = lease.getMetadata().getName();
        String rv = lease.getMetadata().getResourceVersion();
        Seen prev = seen.get(name);
        if (prev != null && !newer(rv, prev.rv)) return false;
        Seen next = new Seen(lease, rv, LeaseRecords.holder(lease), LeaseRecords.durationSeconds(lease, leaseSeconds), ticker.nanoTime());
        if (next.holder.isEmpty() && prev != null) next.releasedBy = prev.holder.isEmpty() ? prev.releasedBy : prev.holder;
        if (next.holder.isEmpty()) next.successor = LeaseRecords.successor(lease);
        seen.put(name, next);
        planDirty = true;
        return true;
    }

    private void observeDeleted(Lease lease) {
        String name = lease.getMetadata().getName();
        Seen prev = seen.get(name);
        if (prev != null && newer(prev.rv, lease.getMetadata().getResourceVersion())) return; // re-created since
        seen.remove(name);
        planDirty = true;
        LeaseState st = states.get(name);
        if (st == null) return;
        if (st.held) lose(st, "lease deleted");
        if (!st.inFlight) evaluate(st);
    }

    /**
     * resourceVersions are opaque to clients in general; etcd's (and the mock server's) are increasing integers,
     * which lets a late watch event be told apart from a newer write response. Unparsable ones count as newer.
     */
    private static boolean newer(String candidate, String known) {
        if (candidate == null || Objects.equals(candidate, known)) return false;
        if (known == null) return true;
        try {
            return Long.parseLong(candidate) > Long.parseLong(known);
        } catch (NumberFormatException e) {
            return true;
        }
    }

    // ---------------------------------------------------------------- campaign

    private void applyCampaign(Map<String, SortedSet<String>> wanted) {
        if (stopping) return;
        List<LeaseState> droppedHeld = new ArrayList<>();
        for (LeaseState st : states.values()) {
            if (st.held && !wanted.containsKey(st.name)) droppedHeld.add(st);
        }
        nameSuccessors(droppedHeld);
        for (LeaseState st : new ArrayList<>(states.values())) {
            if (!wanted.containsKey(st.name) && st.campaigning) {
                st.campaigning = false;
                cancel(st.action);
                if (st.held) {
                    release(st);
                } else if (!st.inFlight) {
                    settle(st);
                }
            }
        }
        List<LeaseState> toEvaluate = new ArrayList<>();
        for (Map.Entry<String, SortedSet<String>> e : wanted.entrySet()) {
            LeaseState st = states.computeIfAbsent(e.getKey(), LeaseState::new);
            st.candidates = e.getValue();
            st.campaigning = true;
            toEvaluate.add(st);
        }
        // The plan must see the whole campaign before anything is ranked.
        plan = Map.of();
        planDirty = true;
        planAt = Long.MIN_VALUE;
        for (LeaseState st : toEvaluate) {
            if (!st.held && !st.inFlight) evaluate(st);
        }
        metrics.candidates.set((int) states.values().stream().filter(s -> s.campaigning).count());
    }

    /** Decides when this node, not holding the lease, should try to take it. */
    private void evaluate(LeaseState st) {
        cancel(st.action);
        st.action = null;
        if (!st.campaigning || st.held || st.inFlight || stopping || !watchHealthy) return;
        Seen s = seen.get(st.name);
        long now = ticker.nanoTime();
        if (s != null && identity.equals(s.holder)) {
            // Our own identity (a restart, or a write that came back after we gave up): as client-go's IsLeader
            // path, renew at once; the resourceVersion precondition makes this safe.
            attempt(st);
            return;
        }
        long freeAt = s == null || s.holder.isEmpty() ? now : s.observedAt + TimeUnit.SECONDS.toNanos(s.durationSeconds);
        if (freeAt > now) {
            st.action = schedule(freeAt, () -> evaluate(st));
            return;
        }
        if (st.freeSince < 0) st.freeSince = now;
        long extra;
        if (s != null && s.holder.isEmpty() && s.successor != null && st.candidates.contains(s.successor)) {
            // Released gracefully, naming the successor the releasing node ranked first with a complete view of
            // what it let go (followers seeing the release half-done would rank differently and collide). The
            // successor goes at once. The others step in only if it has not taken the lease within the released
            // record's own duration (leaseDurationSeconds 1: what a client-go follower would wait as well), or,
            // when the successor is known alive (it renews leases: a node taking over a thousand leases at once
            // may need more than a second), within one lease duration, the bound of a crash.
            if (s.successor.equals(identity)) {
                extra = 0;
            } else {
                refreshLiveness(now);
                long wait = aliveNodes.contains(s.successor) && !deadNodes.contains(s.successor)
                        ? leaseNanos : TimeUnit.SECONDS.toNanos(Math.max(1, s.durationSeconds));
                // Behind the successor, candidates stagger by their rendezvous order.
                int behind = Math.max(0, CandidateRanking.byRendezvous(st.name, st.candidates).indexOf(identity));
                extra = wait + Math.min(behind * rankStepNanos, maxRankDelayNanos);
            }
        } else {
            int rank = rankOf(st, now);
            if (rank < 0) {
                st.action = schedule(planRefreshAt(), () -> evaluate(st));
                return;
            }
            extra = Math.min(rank * rankStepNanos, maxRankDelayNanos);
            if (rank > 0 && s == null && !deadNodes.contains(plan.get(st.name).getFirst())) {
                // Absent (a new service, not a crash): nobody announces it yet and every candidate computes the same
                // first-ranked node, which creates it at once. A lower rank stepping in after a short delay (a burst
                // of creates easily takes longer on a loaded API server) would only skew the spread, so it waits one
                // lease duration: the same bound as a crashed holder. Only a first-ranked node known to be gone (its
                // leases expired unrenewed) is skipped after the short rank delay.
                extra = leaseNanos + extra;
            }
        }
        long attemptAt = st.freeSince + extra;
        if (attemptAt <= now) {
            attempt(st);
        } else {
            st.action = schedule(attemptAt, () -> evaluate(st));
        }
    }

    /**
     * This node's rank for a free lease, or -1 when the plan predates the lease being free and may not be recomputed
     * yet (the caller looks again at {@link #planRefreshAt}). A plan costs O(leases); with a thousand leases released
     * at once, recomputing it for every release event was most of the handover's CPU: recompute at most every 20 ms
     * and never spend more than ~10% of the loop on it.
     */
    private int rankOf(LeaseState st, long now) {
        List<String> order = plan.get(st.name);
        if ((order == null || planDirty) && now >= planRefreshAt()) {
            long t0 = System.nanoTime();
            computePlan(now);
            planCostNanos = System.nanoTime() - t0;
            order = plan.get(st.name);
            if (order == null) return 0;
        }
        if (order == null) return -1;
        int rank = order.indexOf(identity);
        return rank < 0 ? order.size() : rank;
    }

    private long planRefreshAt() {
        return planAt + Math.max(PLAN_MAX_AGE_NANOS, 10 * planCostNanos);
    }

    private void computePlan(long now) {
        plan = rankFree(Set.of(), now);
        computeLiveness(now);
        planAt = now;
        planDirty = false;
    }

    /** Alive and dead holders, at most every 20 ms (O(leases), far cheaper than a plan). */
    private void refreshLiveness(long now) {
        if (now >= livenessAt + PLAN_MAX_AGE_NANOS) computeLiveness(now);
    }

    private void computeLiveness(long now) {
        livenessAt = now;
        aliveNodes = new HashSet<>();
        Set<String> expiredHolders = new HashSet<>();
        for (Seen s : seen.values()) {
            if (s.holder.isEmpty()) continue;
            if (expired(s, now)) expiredHolders.add(s.holder); else aliveNodes.add(s.holder);
        }
        expiredHolders.removeAll(aliveNodes);
        deadNodes = expiredHolders;
    }

    /**
     * The deterministic ranking of every free lease, as {@link CandidateRanking#rank}; leases in {@code releasing}
     * (held by us, about to be released) count as free and without us.
     */
    private Map<String, List<String>> rankFree(Set<String> releasing, long now) {
        Map<String, SortedSet<String>> candidates = new HashMap<>();
        Map<String, String> liveHolders = new HashMap<>();
        for (LeaseState st : states.values()) {
            if (!st.campaigning && !releasing.contains(st.name)) continue;
            Seen s = seen.get(st.name);
            if (releasing.contains(st.name)) {
                TreeSet<String> others = new TreeSet<>(st.candidates);
                others.remove(identity);
                candidates.put(st.name, others);
            } else if (st.held) {
                liveHolders.put(st.name, identity);
                candidates.put(st.name, st.candidates);
            } else if (s == null) {
                candidates.put(st.name, st.candidates);
            } else if (s.holder.isEmpty()) {
                // Released: the node that let it go is leaving or no longer wants it; never rank it first.
                TreeSet<String> others = new TreeSet<>(st.candidates);
                if (s.releasedBy != null && !s.releasedBy.equals(identity)) others.remove(s.releasedBy);
                candidates.put(st.name, others);
            } else if (expired(s, now)) {
                TreeSet<String> live = new TreeSet<>(st.candidates);
                if (!s.holder.equals(identity)) live.remove(s.holder);
                candidates.put(st.name, live);
            } else {
                liveHolders.put(st.name, s.holder);
                candidates.put(st.name, st.candidates);
            }
        }
        return CandidateRanking.rank(candidates, liveHolders);
    }

    /** Names, for each lease about to be released, the candidate every node would rank first once it is free. */
    private void nameSuccessors(List<LeaseState> releasing) {
        if (releasing.isEmpty() || !watchHealthy) return;
        Set<String> names = new HashSet<>();
        for (LeaseState st : releasing) names.add(st.name);
        Map<String, List<String>> ranked = rankFree(names, ticker.nanoTime());
        for (LeaseState st : releasing) {
            List<String> order = ranked.get(st.name);
            st.successor = order == null || order.isEmpty() ? null : order.getFirst();
        }
    }

    private static boolean expired(Seen s, long now) {
        return s.observedAt + TimeUnit.SECONDS.toNanos(s.durationSeconds) <= now;
    }

    // ---------------------------------------------------------------- acquire

    private void attempt(LeaseState st) {
        cancel(st.action);
        st.action = null;
        Seen s = seen.get(st.name);
        Map<String, String> annotations = annotationsFor(st.name);
        st.inFlight = true;
        if (s == null) {
            Lease body = LeaseRecords.created(namespace, st.name, identity, leaseSeconds, clock.instant(), annotations);
            call("create", () -> api.leases().inNamespace(namespace).resource(body).create(),
                    (Sent<Lease>) (lease, error, sentAt) -> acquired(st, sentAt, annotations.keySet(), lease, error));
        } else {
            Lease body = LeaseRecords.acquiredOrRenewed(s.lease, identity, leaseSeconds, clock.instant(), annotations, dropped(st, annotations));
            call("update", () -> api.leases().inNamespace(namespace).resource(body).update(),
                    (Sent<Lease>) (lease, error, sentAt) -> acquired(st, sentAt, annotations.keySet(), lease, error));
        }
    }

    private void acquired(LeaseState st, long sentAt, Set<String> annotationKeys, Lease lease, Throwable error) {
        st.inFlight = false;
        long now = ticker.nanoTime();
        if (error != null) {
            if (!st.campaigning) {
                settle(st);
            } else if (code(error) == 409) {
                reread(st);
            } else {
                if (code(error) == 404) seen.remove(st.name);
                if (running) LOG.debugf("election: acquiring %s failed: %s", st.name, error.toString());
                st.action = schedule(now + retryNanos, () -> evaluate(st));
            }
            return;
        }
        remember(lease);
        st.annotationKeys = annotationKeys;
        if (!st.campaigning || stopping) {
            // Dropped (or shutting down) while the write was in flight: never announced, give it back.
            sendRelease(st, lease, false);
            return;
        }
        if (sentAt + renewDeadlineNanos <= now) {
            evaluate(st); // answered too late to count; renew it afresh
            return;
        }
        st.held = true;
        st.myLease = lease;
        st.lastRenewSentAt = sentAt;
        heldNames.add(st.name);
        metrics.held.incrementAndGet();
        metrics.acquired.increment();
        if (st.freeSince >= 0) metrics.acquireLatency.record(now - st.freeSince, TimeUnit.NANOSECONDS);
        st.freeSince = -1;
        emit(new LeadershipEvent.Acquired(st.name, clock.instant()));
        armDeadline(st);
        scheduleRenew(st);
    }

    /** After a 409: read the lease once and decide again from what is there now. */
    private void reread(LeaseState st) {
        st.inFlight = true;
        String knownRv = seen.containsKey(st.name) ? seen.get(st.name).rv : null;
        call("get", () -> api.leases().inNamespace(namespace).withName(st.name).get(), (lease, error) -> {
            st.inFlight = false;
            if (error == null) {
                if (lease == null) {
                    seen.remove(st.name);
                    planDirty = true;
                } else {
                    remember(lease);
                }
            }
            if (!st.campaigning && !st.held) {
                settle(st);
                return;
            }
            Seen now = seen.get(st.name);
            if (st.held) {
                if (now != null && identity.equals(now.holder)) {
                    st.myLease = now.lease;
                    renew(st);
                } else {
                    lose(st, now == null ? "lease deleted" : "lease taken over by " + now.holder);
                    evaluate(st);
                }
                return;
            }
            if (error != null || (now != null && Objects.equals(now.rv, knownRv) && !identity.equals(now.holder))) {
                // Nothing new to go on: do not spin, try again one retry period later.
                st.action = schedule(ticker.nanoTime() + retryNanos, () -> evaluate(st));
            } else {
                evaluate(st);
            }
        });
    }

    // ---------------------------------------------------------------- renew and lose

    private void scheduleRenew(LeaseState st) {
        cancel(st.action);
        st.action = schedule(st.lastRenewSentAt + retryNanos, () -> renew(st));
    }

    private void armDeadline(LeaseState st) {
        cancel(st.deadline);
        st.deadline = schedule(st.lastRenewSentAt + renewDeadlineNanos, () -> {
            st.deadline = null;
            if (st.held && ticker.nanoTime() - st.lastRenewSentAt >= renewDeadlineNanos) {
                lose(st, "no successful renew within renewDeadline");
                if (!st.inFlight) evaluate(st);
            }
        });
    }

    private void renew(LeaseState st) {
        st.action = null;
        if (!st.held) return;
        if (st.inFlight) {
            // The previous renew still hangs; the deadline timer runs regardless. Look again next period.
            st.action = schedule(ticker.nanoTime() + retryNanos, () -> renew(st));
            return;
        }
        Map<String, String> annotations = annotationsFor(st.name);
        Lease body = LeaseRecords.acquiredOrRenewed(st.myLease, identity, leaseSeconds, clock.instant(), annotations, dropped(st, annotations));
        st.inFlight = true;
        call("update", () -> api.leases().inNamespace(namespace).resource(body).update(), (Sent<Lease>) (lease, error, sentAt) -> {
            st.inFlight = false;
            if (error == null) {
                remember(lease);
                st.annotationKeys = annotations.keySet();
                if (!st.campaigning) {
                    if (st.held) release(st); else sendRelease(st, lease, false);
                } else if (st.held) {
                    st.myLease = lease;
                    st.lastRenewSentAt = Math.max(st.lastRenewSentAt, sentAt);
                    armDeadline(st);
                    scheduleRenew(st);
                } else {
                    evaluate(st); // the deadline passed while this hung; the lease is still ours in the API
                }
                return;
            }
            metrics.renewFailures.increment();
            if (running) LOG.debugf("election: renewing %s failed: %s", st.name, error.toString());
            if (!st.campaigning && !st.held) {
                settle(st);
            } else if (code(error) == 409) {
                reread(st);
            } else if (code(error) == 404) {
                seen.remove(st.name);
                if (st.held) lose(st, "lease deleted");
                evaluate(st);
            } else if (st.held) {
                scheduleRenew(st);
            } else {
                evaluate(st);
            }
        });
    }

    private void lose(LeaseState st, String reason) {
        if (!st.held) return;
        st.held = false;
        cancel(st.action);
        cancel(st.deadline);
        st.action = null;
        st.deadline = null;
        st.freeSince = -1;
        heldNames.remove(st.name);
        metrics.held.decrementAndGet();
        metrics.lost.increment();
        LOG.infof("election: lost %s: %s", st.name, reason);
        emit(new LeadershipEvent.Lost(st.name, reason, clock.instant()));
    }

    // ---------------------------------------------------------------- release, shutdown, GC

    /** Stop announcing first (event), then clear the holder, so no two nodes ever announce at once. */
    private void release(LeaseState st) {
        if (st.held) {
            st.held = false;
            cancel(st.action);
            cancel(st.deadline);
            heldNames.remove(st.name);
            metrics.held.decrementAndGet();
            metrics.released.increment();
            emit(new LeadershipEvent.Released(st.name, clock.instant()));
        }
        if (!st.inFlight) sendRelease(st, st.myLease, false);
        // else: the in-flight call's completion sees campaigning == false and releases then.
    }

    private void sendRelease(LeaseState st, Lease base, boolean retried) {
        if (base == null) {
            settle(st);
            return;
        }
        Lease body = LeaseRecords.released(base, clock.instant(), st.annotationKeys, st.successor);
        st.inFlight = true;
        call("update", () -> api.leases().inNamespace(namespace).resource(body).update(), (lease, error) -> {
            st.inFlight = false;
            if (error == null) {
                remember(lease);
            } else if (code(error) == 409 && !retried && running) {
                st.inFlight = true;
                call("get", () -> api.leases().inNamespace(namespace).withName(st.name).get(), (fresh, e2) -> {
                    st.inFlight = false;
                    if (e2 == null && fresh != null && identity.equals(LeaseRecords.holder(fresh))) {
                        sendRelease(st, fresh, true);
                    } else {
                        settle(st);
                    }
                });
                return;
            }
            settle(st);
        });
    }

    /** The state of a lease we no longer campaign for is dropped once nothing is in flight. */
    private void settle(LeaseState st) {
        if (st.campaigning) {
            if (!st.inFlight && !st.held) evaluate(st);
            return;
        }
        cancel(st.action);
        cancel(st.deadline);
        if (states.get(st.name) == st) states.remove(st.name);
        st.settled.complete(null);
        metrics.candidates.set((int) states.values().stream().filter(s -> s.campaigning).count());
    }

    private void releaseAll(CompletableFuture<Void> done) {
        List<LeaseState> held = new ArrayList<>();
        for (LeaseState st : states.values()) if (st.held) held.add(st);
        nameSuccessors(held);
        // A leaving node judges no expiry and its releases carry the resourceVersion of its own last write: stop the
        // watch now, so the API server and this process do not serialise and decode every handover event once more
        // while the leases are being released.
        stopInformer();
        stopping = true;
        List<CompletableFuture<Void>> pending = new ArrayList<>();
        for (LeaseState st : new ArrayList<>(states.values())) {
            st.campaigning = false;
            cancel(st.action);
            pending.add(st.settled);
            if (st.held) {
                release(st);
            } else if (!st.inFlight) {
                settle(st);
            }
        }
        CompletableFuture.allOf(pending.toArray(CompletableFuture[]::new)).whenComplete((v, e) -> done.complete(null));
    }

    /**
     * Cilium deletes every lease with an empty holder each minute from every node (pkg/l2announcer leaseGC). We
     * delete only leases that nobody has claimed for a whole interval (a candidate would have taken a released
     * lease at once), only from the node that ranks first for that lease among the nodes we know, and with a
     * resourceVersion precondition, so N nodes do not race to delete and a lease re-taken meanwhile survives.
     */
    private void collectGarbage() {
        if (!running) return;
        long now = ticker.nanoTime();
        if (watchHealthy && !stopping) {
            Set<String> nodes = new HashSet<>();
            nodes.add(identity);
            for (Seen s : seen.values()) if (!s.holder.isEmpty()) nodes.add(s.holder);
            for (LeaseState st : states.values()) nodes.addAll(st.candidates);
            for (Map.Entry<String, Seen> e : seen.entrySet()) {
                Seen s = e.getValue();
                if (!s.holder.isEmpty() || states.containsKey(e.getKey()) || now - s.observedAt < gcNanos) continue;
                if (!CandidateRanking.byRendezvous(e.getKey(), nodes).getFirst().equals(identity)) continue;
                Lease lease = s.lease;
                call("delete", () -> api.leases().inNamespace(namespace).resource(lease).lockResourceVersion(s.rv).delete(),
                        (r, error) -> {
                            if (error != null) LOG.debugf("election: GC of %s: %s", lease.getMetadata().getName(), error.toString());
                        });
            }
        }
        schedule(now + gcNanos, this::collectGarbage);
    }

    // ---------------------------------------------------------------- helpers

    private Map<String, String> annotationsFor(String lease) {
        try {
            Map<String, String> a = holderAnnotations.apply(lease);
            return a == null ? Map.of() : Map.copyOf(a);
        } catch (RuntimeException e) {
            LOG.warnf(e, "election: holder annotations for %s failed", lease);
            return Map.of();
        }
    }

    private static Set<String> dropped(LeaseState st, Map<String, String> now) {
        Set<String> gone = new HashSet<>(st.annotationKeys);
        gone.removeAll(now.keySet());
        return gone;
    }

    private static int code(Throwable error) {
        return error instanceof KubernetesClientException k ? k.getCode() : -1;
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

    private List<LeaseView> views() {
        long now = ticker.nanoTime();
        List<LeaseView> out = new ArrayList<>();
        for (LeaseState st : states.values()) {
            Seen s = seen.get(st.name);
            long since = st.held ? now - st.lastRenewSentAt : s == null ? 0 : now - s.observedAt;
            out.add(new LeaseView(st.name, s == null ? "" : s.holder, st.held, st.candidates.size(), Duration.ofNanos(Math.max(0, since))));
        }
        out.sort((a, b) -> a.name().compareTo(b.name()));
        return out;
    }

    private static final class Seen {
        final Lease lease;
        final String rv;
        final String holder;
        final int durationSeconds;
        long observedAt;
        String releasedBy;
        /** The successor a graceful release named (only meaningful while the holder is empty). */
        String successor;

        Seen(Lease lease, String rv, String holder, int durationSeconds, long observedAt) {
            this.lease = lease;
            this.rv = rv;
            this.holder = holder;
            this.durationSeconds = durationSeconds;
            this.observedAt = observedAt;
        }
    }

    private static final class LeaseState {
        final String name;
        SortedSet<String> candidates = new TreeSet<>();
        boolean campaigning = true;
        boolean held;
        boolean inFlight;
        long lastRenewSentAt;
        long freeSince = -1;
        Lease myLease;
        String successor;
        Set<String> annotationKeys = Set.of();
        Timer action;
        Timer deadline;
        final CompletableFuture<Void> settled = new CompletableFuture<>();

        LeaseState(String name) {
            this.name = name;
        }
    }

    private static final class Timer implements Comparable<Timer> {
        final long due;
        final long seq;
        final Runnable action;
        boolean cancelled;

        Timer(long due, long seq, Runnable action) {
            this.due = due;
            this.seq = seq;
            this.action = action;
        }

        @Override
        public int compareTo(Timer o) {
            int c = Long.compare(due, o.due);
            return c != 0 ? c : Long.compare(seq, o.seq);
        }
    }
}
