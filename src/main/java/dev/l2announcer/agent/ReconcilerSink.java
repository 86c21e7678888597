package dev.l2announcer.agent;

import dev.l2announcer.announce.AnnouncementFailure;
import dev.l2announcer.announce.ResponderSink;
import dev.l2announcer.datapath.DatapathFailure;
import dev.l2announcer.datapath.LocalAnnouncement;
import dev.l2announcer.datapath.ResponderReconciler;
import dev.l2announcer.observability.AnnouncerMetrics;

import dev.l2announcer.datapath.AddressFamily;

import java.net.InetAddress;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * Adapts the datapath's {@link ResponderReconciler} (desired set in, convergence reported through its listener) to
 * the loop's {@link ResponderSink}. {@link #apply} waits, bounded, for the convergence that covers the set it
 * handed in, so what it reports as installed IS in the map: the loop announces (event {@code L2Announced}) only
 * what the datapath confirmed, and reports the rest ({@code MAP_FULL}, {@code NO_USABLE_INTERFACE}). While the
 * loop waits, its new leadership events queue and are applied together in its next pass. Added/removed are
 * relative to the previous desired set. A change of the failures found by a convergence the loop did not ask for
 * (a link appeared) re-triggers the loop.
 */
public final class ReconcilerSink implements ResponderSink, ResponderReconciler.Listener, AutoCloseable {
    /** How long {@link #apply} waits for its convergence (one is a netlink dump and a map sync: milliseconds). */
    static final Duration APPLY_TIMEOUT = Duration.ofSeconds(2);

    private final ResponderReconciler reconciler;
    private final AnnouncerMetrics metrics;
    private final CopyOnWriteArrayList<Runnable> failureListeners = new CopyOnWriteArrayList<>();
    private final Object convergedLock = new Object();
    private long lastDesiredSeq; // guarded by convergedLock: sequence of the last desire() handed to the reconciler
    private long convergedSeq;   // guarded by convergedLock: highest sequence the reconciler has converged to
    private Map<LocalAnnouncement, DatapathFailure> failed = Map.of(); // guarded by convergedLock: of convergedSeq
    private Set<LocalAnnouncement> previous = Set.of(); // the loop thread's only

    /** @param reconcilerFactory builds the reconciler with this sink as its listener (e.g. LinuxDatapath::reconciler) */
    public ReconcilerSink(Function<ResponderReconciler.Listener, ResponderReconciler> reconcilerFactory, AnnouncerMetrics metrics) {
        this.metrics = metrics;
        this.reconciler = reconcilerFactory.apply(this);
        this.reconciler.start();
    }

    @Override
    public Result apply(Set<LocalAnnouncement> desired) {
        long seq;
        try {
            seq = reconciler.desire(desired);
        } catch (RuntimeException e) {
            // Not queued: what the datapath will end up with is unknown, so awaitApplied must not say "applied".
            synchronized (convergedLock) {
                lastDesiredSeq = Long.MAX_VALUE;
            }
            throw e;
        }
        synchronized (convergedLock) {
            lastDesiredSeq = seq;
        }
        if (!awaitApplied(APPLY_TIMEOUT)) {
            throw new IllegalStateException("the datapath did not converge within " + APPLY_TIMEOUT.toMillis() + " ms");
        }
        Map<LocalAnnouncement, AnnouncementFailure.Reason> failedNow = new HashMap<>();
        synchronized (convergedLock) {
            failed.forEach((a, why) -> {
                if (desired.contains(a)) failedNow.put(a, reason(why));
            });
        }
        Set<LocalAnnouncement> added = new HashSet<>(desired);
        added.removeAll(previous);
        Set<LocalAnnouncement> removed = new HashSet<>(previous);
        removed.removeAll(desired);
        previous = Set.copyOf(desired);
        return new Result(added, removed, failedNow, 0);
    }

    private static AnnouncementFailure.Reason reason(DatapathFailure f) {
        return switch (f) {
            case NO_INTERFACE -> AnnouncementFailure.Reason.NO_USABLE_INTERFACE;
            case MAP_FULL -> AnnouncementFailure.Reason.MAP_FULL;
        };
    }

    /**
     * Waits until the reconciler has converged to the LAST desired set handed to {@link #apply}
     * (matched by sequence number, not by entry count: a count cannot tell a queued {A} from the {}
     * that follows it).
     */
    @Override
    public boolean awaitApplied(Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        synchronized (convergedLock) {
            while (convergedSeq < lastDesiredSeq) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    return false;
                }
                try {
                    TimeUnit.NANOSECONDS.timedWait(convergedLock, left);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return false;
                }
            }
            return true;
        }
    }

    @Override
    public AutoCloseable onFailuresChanged(Runnable onChange) {
        failureListeners.add(onChange);
        return () -> failureListeners.remove(onChange);
    }

    // ---- ResponderReconciler.Listener (reconciler thread) ----

    @Override
    public void garpSent(String interfaceName, InetAddress ip, long atNanos) {
        metrics.garpSent(interfaceName, AddressFamily.of(ip));
    }

    @Override
    public void datapathError(String operation, RuntimeException error) {
        metrics.datapathError();
    }

    @Override
    public void converged(long desiredSeq, int mapEntries, Map<LocalAnnouncement, DatapathFailure> nowFailed) {
        boolean changed;
        boolean asked;
        synchronized (convergedLock) {
            changed = !nowFailed.equals(failed);
            failed = Map.copyOf(nowFailed);
            asked = desiredSeq > convergedSeq;
            convergedSeq = Math.max(convergedSeq, desiredSeq);
            convergedLock.notifyAll();
        }
        // A convergence apply() asked for reports through apply(); others (links changed) make the loop look again.
        if (changed && !asked) {
            failureListeners.forEach(Runnable::run);
        }
    }

    @Override
    public void close() {
        reconciler.close();
    }
}
