package dev.l2announcer.fakes;

import dev.l2announcer.selection.SelectionSnapshot;
import dev.l2announcer.selection.SelectionSource;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

/** Test selection source: the test publishes snapshots by hand. */
public final class InMemorySelectionSource implements SelectionSource {
    private volatile SelectionSnapshot current = SelectionSnapshot.EMPTY;
    private final List<Consumer<SelectionSnapshot>> listeners = new CopyOnWriteArrayList<>();

    @Override
    public SelectionSnapshot current() {
        return current;
    }

    @Override
    public AutoCloseable subscribe(Consumer<SelectionSnapshot> listener) {
        listeners.add(listener);
        listener.accept(current);
        return () -> listeners.remove(listener);
    }

    public void publish(SelectionSnapshot s) {
        current = s;
        listeners.forEach(l -> l.accept(s));
    }
}
