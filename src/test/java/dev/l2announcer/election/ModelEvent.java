package dev.l2announcer.election;

import java.time.Duration;

/**
 * One step of an {@link ElectionModel} run: time passing, or a fault set or cleared on node {@code node} (-1 for
 * every node). {@code step} only for {@link Kind#ADVANCE}.
 */
record ModelEvent(Kind kind, int node, Duration step) {
    enum Kind {
        /** The manual clock moves by {@code step}; every task that falls due runs. */
        ADVANCE(Family.TIME),
        /** SIGSTOP: the process runs nothing, its kernel stamp ages. */
        FREEZE(Family.PROCESS),
        /** SIGCONT: everything that fell due meanwhile runs at once. */
        RESUME(Family.PROCESS),
        /** kill -9: nothing runs again; requests already sent may still land. */
        KILL(Family.PROCESS),
        /** Graceful stop: map entries withdrawn, then every lease handed over (Rule 4). */
        STOP(Family.PROCESS),
        /** The node's next request (a renew, a beat, a takeover...) fails with a 500. */
        FAIL_NEXT(Family.API),
        /** The node's requests are refused at once (its watch stays up). */
        API_FAIL(Family.API),
        /** The node's requests hang: held, applied when the API comes back, answered only if not timed out. */
        API_HANG(Family.API),
        /** The node's requests work again; the held ones are applied now (late). */
        API_OK(Family.API),
        /** The node is cut from the API both ways: requests time out unapplied, the watch delivers nothing. */
        PARTITION(Family.API),
        /** The partition ends: requests work, the watch delivers what it held back. */
        HEAL(Family.API),
        /**
         * The node's Service Lease writes (not its heartbeats) are answered, and applied, 1.5 s late from now on:
         * renewals queued behind its client's rate limit and a returning API server's backlog (fault suite, 500
         * Services). Healed only at the end of the path.
         */
        SLOW_RENEWALS(Family.LATENCY),
        /** The node's watch falls behind (connected, healthy, delivering nothing). */
        WATCH_LATE(Family.WATCH),
        /** The late watch delivers everything it held back. */
        WATCH_CATCH_UP(Family.WATCH),
        /** The API server is down for every node (refused; watches broken). */
        API_DOWN_ALL(Family.GLOBAL),
        /**
         * The API server is frozen (SIGSTOP) for every node: requests hang (applied late when it resumes, answered
         * only if not timed out by then), watches stay connected and deliver nothing.
         */
        API_STALL_ALL(Family.GLOBAL),
        /**
         * As {@link #API_STALL_ALL}, but a request whose client timed out never reaches the server (the client closed
         * the connection first): on the return only requests still waiting are applied.
         */
        API_STALL_ALL_DROPPING(Family.GLOBAL),
        /** The API server is back (refused: watches relist; frozen: held requests applied, watches catch up). */
        API_UP_ALL(Family.GLOBAL);

        final Family family;

        Kind(Family family) {
            this.family = family;
        }
    }

    /** Events of one family on one node do not share an instant (setting a fault and clearing it at once is no step). */
    enum Family { TIME, PROCESS, API, LATENCY, WATCH, GLOBAL }

    static ModelEvent advance(Duration d) {
        return new ModelEvent(Kind.ADVANCE, -1, d);
    }

    static ModelEvent on(Kind kind, int node) {
        return new ModelEvent(kind, node, null);
    }

    static ModelEvent all(Kind kind) {
        return new ModelEvent(kind, -1, null);
    }

    @Override
    public String toString() {
        if (kind == Kind.ADVANCE) return "advance " + step.toMillis() + "ms";
        return kind + (node < 0 ? "" : " n" + (node + 1));
    }
}
