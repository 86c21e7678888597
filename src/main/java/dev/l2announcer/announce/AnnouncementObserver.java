package dev.l2announcer.announce;

/** Told about every pass of the announcement loop, on the loop's thread: must not block for long. */
@FunctionalInterface
public interface AnnouncementObserver {
    void reconciled(ReconcileReport report);

    AnnouncementObserver NONE = r -> { };

    static AnnouncementObserver all(AnnouncementObserver... observers) {
        return r -> {
            for (AnnouncementObserver o : observers) {
                o.reconciled(r);
            }
        };
    }
}
