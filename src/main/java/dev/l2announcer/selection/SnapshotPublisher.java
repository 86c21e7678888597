package dev.l2announcer.selection;

import org.jboss.logging.Logger;

import java.util.List;
import java.util.Objects;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

/**
 * Holds the current snapshot and hands every published one to subscribers, in publication order.
 * Publishing and subscribing share one lock so a new subscriber sees the current snapshot first and
 * then every later one, never an older one after a newer one. Listeners run on the publishing thread
 * and should hand off quickly (the announce loop enqueues); one that throws does not stop the others.
 */
final class SnapshotPublisher {
    private static final Logger LOG = Logger.getLogger(SnapshotPublisher.class);

    private final Object lock = new Object();
    private final List<Consumer<SelectionSnapshot>> listeners = new CopyOnWriteArrayList<>();
    private volatile SelectionSnapshot current;

    SnapshotPublisher(SelectionSnapshot initial) {
        this.current = Objects.requireNonNull(initial);
    }

    SelectionSnapshot current() {
        return current;
    }

    void publish(SelectionSnapshot snapshot) {
        Objects.requireNonNull(snapshot);
        synchronized (lock) {
            current = snapshot;
            for (Consumer<SelectionSnapshot> l : listeners) {
                deliver(l, snapshot);
            }
        }
    }

    AutoCloseable subscribe(Consumer<SelectionSnapshot> listener) {
        Objects.requireNonNull(listener);
        synchronized (lock) {
            listeners.add(listener);
            deliver(listener, current);
        }
        return () -> listeners.remove(listener);
    }

    private static void deliver(Consumer<SelectionSnapshot> listener, SelectionSnapshot snapshot) {
        try {
            listener.accept(snapshot);
        } catch (RuntimeException e) {
            LOG.errorf(e, "selection snapshot listener %s failed", listener);
        }
    }
}
