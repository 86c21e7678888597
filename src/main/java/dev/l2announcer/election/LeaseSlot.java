package dev.l2announcer.election;

import dev.l2announcer.time.TaskScheduler;
import java.util.Set;
import java.util.SortedSet;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.function.LongFunction;

/**
 * One lease this node campaigns for or still has requests for: its {@link LeaseState}, what it campaigns with,
 * and the two timers the state asks for. Owned by the engine's thread.
 */
final class LeaseSlot implements RankingPlan.Entry {
    final String name;
    SortedSet<String> candidates = new TreeSet<>();
    boolean campaigning = true;
    /** Dropped because its group no longer exists anywhere: deleted rather than released. */
    boolean retired;
    LeaseState state = new LeaseState.Waiting(LeaseState.NOT_FREE, LeaseState.NEVER);
    /** The successor named when the lease was dropped while held (written into the release record). */
    String successor;
    /** Annotation keys of our last successful write, and of the write in flight. */
    Set<String> annotationKeys = Set.of();
    Set<String> pendingKeys = Set.of();
    final CompletableFuture<Void> settled = new CompletableFuture<>();

    private long wakeAt = LeaseState.NEVER;
    /** A deadline check put off (fast path, API unreachable): the later of it and the state's deadline counts. */
    private long deferredDeadline = LeaseState.NEVER;
    /** When the deadline was last put off. */
    private long deferredAt = LeaseState.NEVER;
    private long stateDeadline = LeaseState.NEVER;
    private boolean lastChance;
    private long deadlineAt = LeaseState.NEVER;
    private TaskScheduler.Cancellable wakeTimer;
    private TaskScheduler.Cancellable deadlineTimer;

    LeaseSlot(String name) {
        this.name = name;
    }

    @Override public String name() { return name; }
    @Override public SortedSet<String> candidates() { return candidates; }
    @Override public boolean campaigning() { return campaigning; }
    @Override public boolean held() { return state.held(); }

    /**
     * Keeps the wake and deadline timers at the moments the state asks for; a timer is rescheduled only when its
     * moment changes.
     *
     * @param schedule schedules a task for a monotonic moment, returning its handle
     */
    void syncTimers(long retryNanos, long renewDeadlineNanos, Timers schedule) {
        long wake = state.wakeAt(retryNanos);
        if (wake != wakeAt) {
            if (wakeTimer != null) wakeTimer.cancel();
            wakeAt = wake;
            wakeTimer = wake == LeaseState.NEVER ? null : schedule.wakeAt(wake);
        }
        long deadline = effectiveDeadline(renewDeadlineNanos);
        if (deadline != deadlineAt) {
            if (deadlineTimer != null) deadlineTimer.cancel();
            deadlineAt = deadline;
            deadlineTimer = deadline == LeaseState.NEVER ? null : schedule.deadlineAt(deadline);
        }
    }

    /** A timer fired: it is no longer pending (so the same moment can be asked for again). */
    void wakeFired() {
        wakeTimer = null;
        wakeAt = LeaseState.NEVER;
    }

    void deadlineFired() {
        deadlineTimer = null;
        deadlineAt = LeaseState.NEVER;
    }

    /**
     * When holding lapses: the state's renew deadline, or later while it is deferred (fast path: the deadline
     * passed while nobody could reach the API; the fence, not the deadline, decides then).
     */
    long effectiveDeadline(long renewDeadlineNanos) {
        long base = state.deadlineAt(renewDeadlineNanos);
        if (base != stateDeadline) {
            stateDeadline = base;
            // A new renew: its own deadline counts, unless it was sent before the deadline was last put off. Such a
            // renew, sent during a short confirmed outage and answered when the API returns, ended the deferral
            // and with it the return deadline (Rule 5): the lease was lost before the next renewal, queued behind
            // the returning API's backlog, was answered (found by ElectionModelCheckTest).
            boolean sentBeforeDeferral = base != LeaseState.NEVER && deferredDeadline != LeaseState.NEVER
                    && base - renewDeadlineNanos < deferredAt;
            if (!sentBeforeDeferral) {
                deferredDeadline = LeaseState.NEVER;
                lastChance = false;
            }
        }
        return base == LeaseState.NEVER || deferredDeadline == LeaseState.NEVER ? base : Math.max(base, deferredDeadline);
    }

    /** The deadline check runs again at {@code at} instead of standing down now. */
    void deferDeadline(long at, long now) {
        deferredDeadline = at;
        deferredAt = now;
    }

    /** The API is back after a deferral: one renew gets one more interval, then the deadline counts. */
    boolean lastChanceTaken() {
        boolean was = lastChance;
        lastChance = true;
        return was;
    }

    boolean deferred() {
        return deferredDeadline != LeaseState.NEVER;
    }

    void cancelTimers() {
        if (wakeTimer != null) wakeTimer.cancel();
        if (deadlineTimer != null) deadlineTimer.cancel();
        wakeFired();
        deadlineFired();
    }

    /** The last renew this node sent successfully, while it holds the lease. */
    long lastRenewSentAt() {
        return switch (state) {
            case LeaseState.Holding h -> h.lastRenewSentAt();
            case LeaseState.Renewing r -> r.lastRenewSentAt();
            case LeaseState.Rereading r -> r.lastRenewSentAt();
            default -> 0;
        };
    }

    /** How the slot's timers are scheduled (by the engine, which runs the transitions they trigger). */
    interface Timers {
        TaskScheduler.Cancellable wakeAt(long at);

        TaskScheduler.Cancellable deadlineAt(long at);

        static Timers of(LongFunction<TaskScheduler.Cancellable> wake, LongFunction<TaskScheduler.Cancellable> deadline) {
            return new Timers() {
                @Override public TaskScheduler.Cancellable wakeAt(long at) { return wake.apply(at); }
                @Override public TaskScheduler.Cancellable deadlineAt(long at) { return deadline.apply(at); }
            };
        }
    }
}
