package dev.l2announcer.selection;

import java.util.function.Consumer;

/**
 * A {@link SelectionSource} driven by hand, for tests of the consumers (election, announce loop)
 * and for embedding: {@link #set} publishes the given snapshot to every subscriber, even an equal
 * one (the Kubernetes-backed source skips equal snapshots; consumers must tolerate both).
 */
public final class InMemorySelectionSource implements SelectionSource {
    private final SnapshotPublisher publisher;

    public InMemorySelectionSource() {
        this(SelectionSnapshot.EMPTY);
    }

    public InMemorySelectionSource(SelectionSnapshot initial) {
        this.publisher = new SnapshotPublisher(initial);
    }

    public void set(SelectionSnapshot snapshot) {
        publisher.publish(snapshot);
    }

    @Override
    public SelectionSnapshot current() {
        return publisher.current();
    }

    @Override
    public AutoCloseable subscribe(Consumer<SelectionSnapshot> listener) {
        return publisher.subscribe(listener);
    }
}
