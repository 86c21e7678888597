package dev.l2announcer.selection;

import java.util.function.Consumer;

/** Where consumers (election, announce loop) get snapshots from; tests use an in-memory source. */
public interface SelectionSource {
    SelectionSnapshot current();

    /** Calls the listener with every new snapshot (and once with the current one). Close to stop. */
    AutoCloseable subscribe(Consumer<SelectionSnapshot> listener);
}
