package dev.l2announcer.agent;

import dev.l2announcer.announce.AnnouncementFailure;
import dev.l2announcer.datapath.LocalAnnouncement;
import dev.l2announcer.announce.ResponderSink;
import dev.l2announcer.datapath.ResponderReconciler;
import dev.l2announcer.observability.AnnouncerMetrics;

import java.net.Inet4Address;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * Adapts the datapath's asynchronous {@link ResponderReconciler} (desired (IPv4, interface) set in,
 * convergence reported through its listener) to the loop's {@link ResponderSink}. Added/removed
 * are relative to the previous desired set; failures are the desired entries the reconciler could
 * not resolve to an interface at its last convergence, and a change of those re-triggers the loop.
 */
public final class ReconcilerSink implements ResponderSink, ResponderReconciler.Listener, AutoCloseable {
    private final ResponderReconciler reconciler;
    private final AnnouncerMetrics metrics;
    private final CopyOnWriteArrayList<Runnable> failureListeners = new CopyOnWriteArrayList<>();
    private final Object convergedLock = new Object();
    private long lastDesiredSeq; // guarded by convergedLock: sequence of the last desire() handed to the reconciler
    private long convergedSeq;   // guarded by convergedLock: highest sequence the reconciler has converged to
    private volatile Set<LocalAnnouncement> unresolved = Set.of();
    private volatile Set<LocalAnnouncement> previous = Set.of(); // written by the loop thread only

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
        Set<LocalAnnouncement> added = new HashSet<>(desired);
        added.removeAll(previous);
        Set<LocalAnnouncement> removed = new HashSet<>(previous);
        removed.removeAll(desired);
        previous = Set.copyOf(desired);
        Map<LocalAnnouncement, AnnouncementFailure.Reason> failed = new HashMap<>();
        for (LocalAnnouncement a : unresolved) {
            if (desired.contains(a)) {
                failed.put(a, AnnouncementFailure.Reason.NO_USABLE_INTERFACE);
            }
        }
        return new Result(added, removed, failed, 0);
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
    public void garpSent(String interfaceName, Inet4Address ip, long atNanos) {
        metrics.garpSent(interfaceName);
    }

    @Override
    public void datapathError(String operation, RuntimeException error) {
        metrics.datapathError();
    }

    @Override
    public void converged(long desiredSeq, int mapEntries, Set<LocalAnnouncement> nowUnresolved) {
        boolean changed = !nowUnresolved.equals(unresolved);
        unresolved = Set.copyOf(nowUnresolved);
        synchronized (convergedLock) {
            convergedSeq = Math.max(convergedSeq, desiredSeq);
            convergedLock.notifyAll();
        }
        if (changed) {
            failureListeners.forEach(Runnable::run);
        }
    }

    @Override
    public void close() {
        reconciler.close();
    }
}
