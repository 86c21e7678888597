package dev.l2announcer.announce;

import dev.l2announcer.datapath.LocalAnnouncement;

import dev.l2announcer.election.LeaderElection;
import dev.l2announcer.election.LeadershipEvent;
import dev.l2announcer.selection.SelectionSnapshot;
import dev.l2announcer.selection.SelectionSource;
import dev.l2announcer.time.Ticker;
import org.jboss.logging.Logger;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SortedMap;
import java.util.SortedSet;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The announcement loop: one thread serialises selection snapshots, leadership events and resync
 * ticks; each pass plans (pure {@link AnnouncementPlanner}) and hands the full desired set to the
 * datapath. All mutable state below is confined to that thread: no locks in the logic. Other
 * threads only read the published immutable table.
 */
public final class AnnouncementLoop implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(AnnouncementLoop.class);
    private static final Duration RETRY_AFTER_ERROR = Duration.ofSeconds(1);
    private static final Duration WITHDRAW_TIMEOUT = Duration.ofSeconds(2);

    private final SelectionSource selection;
    private final LeaderElection election;
    private final ResponderSink sink;
    private final AnnouncementObserver observer;
    private final Clock clock;
    private final Ticker ticker;
    private final Duration resyncPeriod;
    private final ScheduledExecutorService thread;

    // Written from other threads, drained on the loop thread: only the newest snapshot matters.
    private final AtomicReference<SelectionSnapshot> pendingSnapshot = new AtomicReference<>();
    // Leadership events from the election's thread, drained together: a thousand leases lost at once cost one
    // plan and one convergence, not a thousand (which took seconds, past the point where others take over).
    private final ConcurrentLinkedQueue<LeadershipEvent> pendingLeadership = new ConcurrentLinkedQueue<>();
    private final AtomicBoolean leadershipDrainQueued = new AtomicBoolean();

    // Loop-thread state.
    private SelectionSnapshot snapshot = SelectionSnapshot.EMPTY;
    private final Map<String, java.time.Instant> held = new LinkedHashMap<>();
    private SortedMap<String, SortedSet<String>> lastCampaign;
    private AnnouncementTable table = AnnouncementTable.EMPTY;
    private Set<AnnouncementFailure> lastFailures = Set.of();
    private boolean reconcileQueued;
    private boolean stopped;
    private final List<AutoCloseable> subscriptions = new ArrayList<>();

    private volatile AnnouncementTable publishedTable = AnnouncementTable.EMPTY;
    private volatile List<AnnouncementFailure> publishedFailures = List.of();
    private volatile boolean firstPassDone;

    public AnnouncementLoop(String nodeName, SelectionSource selection, LeaderElection election, ResponderSink sink,
                            AnnouncementObserver observer, Clock clock, Ticker ticker, Duration resyncPeriod) {
        this.selection = selection;
        this.election = election;
        this.sink = sink;
        this.observer = observer;
        this.clock = clock;
        this.ticker = ticker;
        this.resyncPeriod = resyncPeriod;
        ScheduledThreadPoolExecutor ex = new ScheduledThreadPoolExecutor(1,
                r -> Thread.ofPlatform().daemon().name("l2a-announce-" + nodeName).unstarted(r));
        ex.setRemoveOnCancelPolicy(true);
        this.thread = ex;
    }

    public void start() {
        run(() -> {
            subscriptions.add(election.subscribe(this::leadershipChanged));
            subscriptions.add(sink.onFailuresChanged(this::resync));
            subscriptions.add(selection.subscribe(s -> {
                pendingSnapshot.set(s);
                run(this::drainSnapshot);
            }));
        });
        if (!resyncPeriod.isZero()) {
            thread.scheduleWithFixedDelay(() -> safely(this::requestReconcile), resyncPeriod.toNanos(),
                    resyncPeriod.toNanos(), TimeUnit.NANOSECONDS);
        }
    }

    /** Re-converge now (e.g. links changed). Safe from any thread. */
    public void resync() {
        run(this::requestReconcile);
    }

    /** The l2-announce table as of the last pass. */
    public AnnouncementTable table() {
        return publishedTable;
    }

    public List<AnnouncementFailure> failures() {
        return publishedFailures;
    }

    /** True once a first pass has planned and handed a desired set to the datapath. */
    public boolean converged() {
        return firstPassDone;
    }

    /** Liveness: the loop thread runs a no-op within {@code timeout} (not stuck, not dead). */
    public boolean responsive(Duration timeout) {
        try {
            thread.submit(() -> { }).get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            return true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        } catch (ExecutionException | TimeoutException | java.util.concurrent.RejectedExecutionException e) {
            return false;
        }
    }

    /** Waits until every task queued before this call has run (tests, shutdown). */
    public void flush(Duration timeout) {
        try {
            thread.submit(() -> { }).get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException("announce loop did not drain within " + timeout, e);
        } catch (java.util.concurrent.RejectedExecutionException e) {
            // already stopped: nothing left to wait for
        }
    }

    /**
     * Graceful stop: withdraw every entry first, then release the leases, so no instant has two
     * nodes answering for one IP (the next holder starts only after our release). When the datapath
     * does not confirm the withdrawal in time, the leases are NOT released: they expire after
     * leaseDuration instead, by which time this process is gone.
     *
     * @return true when the entries were withdrawn and the release was handed to the election; false
     *         when the leases were deliberately left to expire (then do not release them elsewhere either)
     */
    public boolean shutdown(Duration timeout) {
        try {
            return thread.submit(() -> {
                stopped = true;
                for (AutoCloseable s : subscriptions) {
                    try {
                        s.close();
                    } catch (Exception e) {
                        LOG.debugf(e, "closing subscription");
                    }
                }
                held.clear();
                if (!withdrawAll()) {
                    // Releasing now would name a successor while our map may still answer (or a queued
                    // older desired set may still be installed after the successor's GARP).
                    LOG.errorf("datapath did not confirm the withdrawal within %s: NOT releasing the leases, "
                            + "they expire after leaseDuration so that two nodes never answer for one IP",
                            WITHDRAW_TIMEOUT);
                    return false;
                }
                election.shutdown(timeout);
                return true;
            }).get(2 * timeout.toMillis() + WITHDRAW_TIMEOUT.toMillis() + 3000, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        } catch (ExecutionException | TimeoutException e) {
            LOG.warnf(e, "graceful shutdown of the announce loop did not complete");
            return false;
        } catch (java.util.concurrent.RejectedExecutionException e) {
            return false;
        } finally {
            thread.shutdownNow();
        }
    }

    @Override
    public void close() {
        shutdown(Duration.ofSeconds(5));
    }

    /** @return true when the datapath confirmed that it no longer answers for anything */
    private boolean withdrawAll() {
        AnnouncementTable before = table;
        long start = ticker.nanoTime();
        try {
            ResponderSink.Result r = sink.apply(Set.of());
            if (!sink.awaitApplied(WITHDRAW_TIMEOUT)) {
                return false;
            }
            table = AnnouncementTable.EMPTY;
            publishedTable = table;
            observer.reconciled(new ReconcileReport(table, Set.of(), r.removed(), List.of(), List.of(), List.of(),
                    r.datapathErrors(), Duration.ofNanos(ticker.nanoTime() - start)));
            return true;
        } catch (RuntimeException e) {
            LOG.errorf(e, "could not withdraw %d announcements on shutdown", before.size());
            return false;
        }
    }

    private void run(Runnable task) {
        try {
            thread.execute(() -> safely(task));
        } catch (java.util.concurrent.RejectedExecutionException e) {
            LOG.debug("announce loop stopped; event dropped");
        }
    }

    private static void safely(Runnable task) {
        try {
            task.run();
        } catch (RuntimeException e) {
            LOG.error("announce loop task failed", e);
        }
    }

    private void drainSnapshot() {
        SelectionSnapshot s = pendingSnapshot.getAndSet(null);
        if (s == null || stopped) {
            return;
        }
        snapshot = s;
        SortedMap<String, SortedSet<String>> campaign = AnnouncementPlanner.campaign(s);
        if (!campaign.equals(lastCampaign)) {
            // A held lease left out of the campaign is released at once, and the successor named in the
            // release record acquires at once: stop answering for it BEFORE the election learns of it.
            if (!campaign.keySet().containsAll(held.keySet())) {
                reconcile(); // plans with the new snapshot, whose groups no longer include the dropped leases
                if (!sink.awaitApplied(WITHDRAW_TIMEOUT)) {
                    LOG.warnf("datapath did not confirm withdrawing dropped leases within %s; keeping the old "
                            + "campaign (no release) and retrying in %s", WITHDRAW_TIMEOUT, RETRY_AFTER_ERROR);
                    pendingSnapshot.compareAndSet(null, s);
                    thread.schedule(() -> safely(this::drainSnapshot), RETRY_AFTER_ERROR.toNanos(), TimeUnit.NANOSECONDS);
                    return;
                }
            }
            election.campaign(campaign, s.groups().keySet());
            lastCampaign = campaign;
        }
        requestReconcile();
    }

    /** Any thread (the election's): queue the event; one drain task applies every event queued by then. */
    private void leadershipChanged(LeadershipEvent e) {
        pendingLeadership.add(e);
        if (leadershipDrainQueued.compareAndSet(false, true)) {
            run(this::drainLeadership);
        }
    }

    private void drainLeadership() {
        leadershipDrainQueued.set(false);
        if (stopped) {
            return;
        }
        boolean any = false;
        LeadershipEvent e;
        while ((e = pendingLeadership.poll()) != null) {
            any = true;
            switch (e) {
                case LeadershipEvent.Acquired a -> held.put(a.leaseName(), a.at());
                case LeadershipEvent.Lost l -> {
                    held.remove(l.leaseName());
                    LOG.infof("lost lease %s: %s", l.leaseName(), l.reason());
                }
                case LeadershipEvent.Released r -> held.remove(r.leaseName());
            }
        }
        // Losing a lease must stop the answers now, not after other queued work: one pass for all of them.
        if (any) {
            reconcile();
        }
    }

    private void requestReconcile() {
        if (stopped || reconcileQueued) {
            return;
        }
        reconcileQueued = true;
        thread.execute(() -> safely(() -> {
            reconcileQueued = false;
            reconcile();
        }));
    }

    private void reconcile() {
        if (stopped) {
            return;
        }
        long start = ticker.nanoTime();
        AnnouncementPlan plan = AnnouncementPlanner.plan(snapshot, held.keySet(), table, clock.instant());
        List<AnnouncementFailure> failures = new ArrayList<>(plan.failures());
        Set<LocalAnnouncement> added;
        Set<LocalAnnouncement> removed;
        AnnouncementTable next;
        int errors;
        try {
            ResponderSink.Result r = sink.apply(plan.desired());
            added = r.added();
            removed = r.removed();
            errors = r.datapathErrors();
            next = AnnouncementPlanner.installed(plan.table(), r.failed());
            r.failed().forEach((la, reason) -> plan.table().find(la.ip(), la.interfaceName()).ifPresent(row ->
                    failures.add(new AnnouncementFailure(row.leaseName(), row.services(), la.ip(), la.interfaceName(), reason))));
        } catch (RuntimeException e) {
            LOG.errorf(e, "datapath rejected the desired set of %d entries; retrying in %s", plan.desired().size(),
                    RETRY_AFTER_ERROR);
            // What is installed is unknown: show nothing as announced, retry soon.
            added = Set.of();
            removed = Set.of();
            errors = 1;
            next = AnnouncementTable.EMPTY;
            for (AnnouncementRow row : plan.table().rows()) {
                failures.add(new AnnouncementFailure(row.leaseName(), row.services(), row.ip(), row.interfaceName(),
                        AnnouncementFailure.Reason.DATAPATH_ERROR));
            }
            thread.schedule(() -> safely(this::requestReconcile), RETRY_AFTER_ERROR.toNanos(), TimeUnit.NANOSECONDS);
        }
        List<ReconcileReport.Takeover> takeovers = new ArrayList<>();
        Set<String> before = table.leases();
        for (String lease : next.leases()) {
            if (!before.contains(lease)) {
                List<AnnouncementRow> rows = next.rowsOf(lease);
                takeovers.add(new ReconcileReport.Takeover(lease, rows.getFirst().services(), rows));
            }
        }
        Set<AnnouncementFailure> failureSet = new HashSet<>(failures);
        List<AnnouncementFailure> newFailures = failures.stream().filter(f -> !lastFailures.contains(f)).toList();
        table = next;
        lastFailures = failureSet;
        publishedTable = next;
        publishedFailures = List.copyOf(failures);
        firstPassDone = true;
        observer.reconciled(new ReconcileReport(next, added, removed, takeovers, failures, newFailures, errors,
                Duration.ofNanos(ticker.nanoTime() - start)));
    }
}
