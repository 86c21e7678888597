package dev.l2announcer.election;

import java.time.Clock;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.jboss.logging.Logger;

/**
 * Tells the rest of the agent when this node starts or stops holding a lease: the published held set, the
 * meters, and the listeners (called on the engine's thread, in order per lease; they must not block).
 */
final class LeadershipReporter {
    private static final Logger LOG = Logger.getLogger(LeadershipReporter.class);

    private final List<Consumer<LeadershipEvent>> listeners = new CopyOnWriteArrayList<>();
    private final LeaseViews views;
    private final ElectionMetrics metrics;
    private final Clock clock;

    LeadershipReporter(LeaseViews views, ElectionMetrics metrics, Clock clock) {
        this.views = views;
        this.metrics = metrics;
        this.clock = clock;
    }

    AutoCloseable subscribe(Consumer<LeadershipEvent> listener) {
        listeners.add(listener);
        return () -> listeners.remove(listener);
    }

    /** @param judgedFreeFor how long the lease was free before the write that won it (NOT_FREE: unknown) */
    void acquired(String lease, long judgedFreeFor) {
        views.held(lease, true);
        metrics.held.incrementAndGet();
        metrics.acquired.increment();
        if (judgedFreeFor >= 0) metrics.acquireLatency.record(judgedFreeFor, TimeUnit.NANOSECONDS);
        emit(new LeadershipEvent.Acquired(lease, clock.instant()));
    }

    void lost(String lease, String reason) {
        views.held(lease, false);
        metrics.held.decrementAndGet();
        metrics.lost.increment();
        LOG.infof("election: lost %s: %s", lease, reason);
        emit(new LeadershipEvent.Lost(lease, reason, clock.instant()));
    }

    void released(String lease) {
        views.held(lease, false);
        metrics.held.decrementAndGet();
        metrics.released.increment();
        emit(new LeadershipEvent.Released(lease, clock.instant()));
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
