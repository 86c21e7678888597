package dev.l2announcer.election;

import dev.l2announcer.election.LeaseState.Acquiring;
import dev.l2announcer.election.LeaseState.Holding;
import dev.l2announcer.election.LeaseState.Releasing;
import dev.l2announcer.election.LeaseState.Rereading;
import dev.l2announcer.election.LeaseState.Renewing;
import dev.l2announcer.election.LeaseState.Waiting;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

import static dev.l2announcer.election.LeaseState.NOT_FREE;

/**
 * Every transition of one lease's {@link LeaseState}, as pure functions of (state, input, {@link Situation}) to
 * the next state and the effects the engine must carry out. The safety rules, in the spirit of client-go's
 * {@code tryAcquireOrRenew}:
 *
 * <ol>
 *   <li>Only a successful conditional write makes this node the holder, and only when it was answered within
 *       renewDeadline of being sent (a write answered later may already look expired to others).</li>
 *   <li>A holder stands down ({@link Effect.Lost}) the moment it sees another holder, an empty holder or the
 *       Lease deleted, and when renewDeadline has passed since its last successful renew was sent, whatever
 *       its requests are doing.</li>
 *   <li>A holder that stops campaigning says so first ({@link Effect.Released}: stop announcing) and only then
 *       writes the release, so no two nodes announce at once.</li>
 *   <li>After a 409 the Lease is read once and the decision taken again from what is there.</li>
 * </ol>
 */
final class LeaseTransitions {
    private LeaseTransitions() {}

    /** What the engine does after a transition. */
    sealed interface Effect {
        /** Acquire: create the Lease when none is observed, else update the observed version conditionally. */
        record Write() implements Effect {}

        /** Renew {@code mine} (conditionally on its resourceVersion). */
        record Renew(LeaseRecord mine) implements Effect {}

        /** Read the Lease once (after a 409). */
        record Reread() implements Effect {}

        /** Write the release record on top of {@code base}, naming the successor chosen when it was dropped. */
        record Release(LeaseRecord base) implements Effect {}

        /** Delete the Lease, conditionally on {@code base}'s resourceVersion (its group is gone). */
        record Delete(LeaseRecord base) implements Effect {}

        /** This node became the holder; {@code freeSince} as judged (for the acquire latency). */
        record Acquired(long freeSince) implements Effect {}

        /** This node must stop announcing now. */
        record Lost(String reason) implements Effect {}

        /** This node gave the lease up on purpose and must stop announcing now. */
        record Released() implements Effect {}

        /** Nothing left to do for this lease: drop its state. */
        record Forget() implements Effect {}
    }

    record Step(LeaseState next, List<Effect> effects) {
        Step {
            effects = List.copyOf(effects);
        }

        static Step stay(LeaseState state) {
            return new Step(state, List.of());
        }

        Step after(Effect first) {
            List<Effect> all = new ArrayList<>(effects.size() + 1);
            all.add(first);
            all.addAll(effects);
            return new Step(next, all);
        }
    }

    static final String DEADLINE_PASSED = "no successful renew within renewDeadline";

    // ---------------------------------------------------------------- inputs

    /** Decide again (a timer fired, the campaign changed, the watch resynced): only a waiting lease acts on it. */
    static Step reconsider(LeaseState state, Situation s) {
        return state instanceof Waiting w ? follow(s, w.freeSince()) : Step.stay(state);
    }

    /** The watch is synced again: whatever was judged free before is judged afresh. */
    static Step resynced(LeaseState state, Situation s) {
        return switch (state) {
            case Waiting w -> follow(s, NOT_FREE);
            case Acquiring a -> Step.stay(new Acquiring(NOT_FREE, a.renewal()));
            case Rereading r -> Step.stay(new Rereading(r.mine(), r.lastRenewSentAt(), r.knownRv(), NOT_FREE));
            default -> Step.stay(state);
        };
    }

    /** The wake timer fired: a waiting lease decides again, a holder renews. */
    static Step woken(LeaseState state, Situation s) {
        return switch (state) {
            case Waiting w -> follow(s, w.freeSince());
            case Holding h -> new Step(new Renewing(h.mine(), h.lastRenewSentAt()), List.of(new Effect.Renew(h.mine())));
            default -> Step.stay(state);
        };
    }

    /** The renew deadline timer fired. */
    static Step deadlinePassed(LeaseState state, Situation s) {
        if (!state.held() || s.now() < state.deadlineAt(s.times().renewDeadline())) {
            return Step.stay(state);
        }
        return standDown(state, s, DEADLINE_PASSED);
    }

    /** A newer version of the Lease was observed ({@code s.seen()}), or its deletion ({@code s.seen()} null). */
    static Step observed(LeaseState state, Situation s, boolean deleted) {
        Observation o = s.seen();
        boolean taken = !deleted && o != null && !o.free();
        if (state.held() && (deleted || !s.seenHeldByMe())) {
            String reason = deleted ? "lease deleted"
                    : o.free() ? "lease released by another writer" : "lease taken over by " + o.holder();
            return standDown(state, s, reason);
        }
        return switch (state) {
            case Waiting w -> follow(s, taken ? NOT_FREE : w.freeSince());
            case Acquiring a -> Step.stay(taken ? new Acquiring(NOT_FREE, a.renewal()) : a);
            case Rereading r -> Step.stay(taken ? new Rereading(r.mine(), r.lastRenewSentAt(), r.knownRv(), NOT_FREE) : r);
            default -> Step.stay(state);
        };
    }

    /**
     * The answer to our acquire or renew write. The engine has already taken a successful answer as the newest
     * observation, and forgotten the observation on 404.
     */
    static Step written(LeaseState state, LeaseStore.Result r, Situation s) {
        return switch (state) {
            case Acquiring a -> acquireAnswered(a, r, s);
            case Renewing n -> renewAnswered(n, r, s);
            default -> Step.stay(state);
        };
    }

    private static Step acquireAnswered(Acquiring a, LeaseStore.Result r, Situation s) {
        if (!r.ok()) {
            if (!s.campaigning()) {
                return giveBack(a, s);
            }
            if (r.outcome() == LeaseStore.Outcome.CONFLICT) {
                return reread(new Rereading(null, 0, knownRv(s), a.freeSince()));
            }
            // A failed renew that no longer counted: decide now. A failed acquisition: not before a retry period.
            return a.renewal() ? follow(s, a.freeSince()) : Step.stay(new Waiting(a.freeSince(), s.now() + s.times().retry()));
        }
        if (!s.campaigning() || s.stopping()) {
            // Dropped (or leaving) while the write was in flight: never announced, give it back.
            return new Step(new Releasing(Releasing.Phase.WRITE), List.of(new Effect.Release(r.lease())));
        }
        if (!a.renewal() && r.sentAt() + s.times().renewDeadline() > s.now()) {
            return new Step(new Holding(r.lease(), r.sentAt()), List.of(new Effect.Acquired(a.freeSince())));
        }
        return follow(s, a.freeSince()); // answered too late to count (or a lapsed renew): write afresh
    }

    private static Step renewAnswered(Renewing n, LeaseStore.Result r, Situation s) {
        return switch (r.outcome()) {
            case OK -> Step.stay(new Holding(r.lease(), Math.max(n.lastRenewSentAt(), r.sentAt())));
            case CONFLICT -> reread(new Rereading(n.mine(), n.lastRenewSentAt(), knownRv(s), NOT_FREE));
            case NOT_FOUND -> lostThenFollow(s, "lease deleted");
            // Keep holding until the deadline; try again one retry period after this attempt was sent.
            case FAILED -> Step.stay(new Holding(n.mine(), n.lastRenewSentAt(), r.sentAt()));
        };
    }

    /** The answer to the read after a 409 (the engine has taken it as the newest observation). */
    static Step reread(LeaseState state, LeaseStore.Result r, Situation s) {
        if (!(state instanceof Rereading rr)) {
            return Step.stay(state);
        }
        if (!s.campaigning() && rr.mine() == null) {
            return giveBack(rr, s);
        }
        if (rr.mine() != null) {
            if (s.seenHeldByMe()) {
                LeaseRecord mine = s.seen().record();
                return new Step(new Renewing(mine, rr.lastRenewSentAt()), List.of(new Effect.Renew(mine)));
            }
            return lostThenFollow(s, s.seen() == null ? "lease deleted" : "lease taken over by " + s.seen().holder());
        }
        boolean nothingNew = s.seen() != null && Objects.equals(s.seen().record().resourceVersion(), rr.knownRv())
                && !s.seenHeldByMe();
        if (!r.ok() && r.outcome() != LeaseStore.Outcome.NOT_FOUND || nothingNew) {
            // Nothing new to go on: do not spin, try again one retry period later.
            return Step.stay(new Waiting(rr.freeSince(), s.now() + s.times().retry()));
        }
        return follow(s, rr.freeSince());
    }

    /** The answer to the release write, or to its read-back after a 409. */
    static Step releaseAnswered(LeaseState state, LeaseStore.Result r, Situation s) {
        if (!(state instanceof Releasing rel)) {
            return Step.stay(state);
        }
        return switch (rel.phase()) {
            case WRITE -> r.outcome() == LeaseStore.Outcome.CONFLICT
                    ? new Step(new Releasing(Releasing.Phase.READ_BACK), List.of(new Effect.Reread()))
                    : settle(s);
            case READ_BACK -> r.ok() && s.identity().equals(r.lease().holder())
                    ? new Step(new Releasing(Releasing.Phase.RETRY), List.of(new Effect.Release(r.lease())))
                    : settle(s);
            case RETRY, DELETE -> settle(s);
        };
    }

    /**
     * The lease left the campaign (or the node is leaving). A holder announces the release first; a request in
     * flight is finished before the state is dropped.
     */
    static Step dropped(LeaseState state, Situation s) {
        return switch (state) {
            case Waiting w -> forget(w);
            case Holding h -> s.retired()
                    ? new Step(new Releasing(Releasing.Phase.DELETE), List.of(new Effect.Released(), new Effect.Delete(h.mine())))
                    : new Step(new Releasing(Releasing.Phase.WRITE), List.of(new Effect.Released(), new Effect.Release(h.mine())));
            case Renewing n -> new Step(new Acquiring(NOT_FREE, true), List.of(new Effect.Released()));
            case Rereading r when r.mine() != null ->
                    new Step(new Rereading(null, 0, r.knownRv(), r.freeSince()), List.of(new Effect.Released()));
            default -> Step.stay(state);
        };
    }

    // ---------------------------------------------------------------- helpers

    /** The follower's decision as a step: write now, or wait (with a timer or without). */
    static Step follow(Situation s, long freeSince) {
        TakeoverRules.Verdict v = TakeoverRules.decide(s, freeSince);
        return switch (v.decision()) {
            case Decision.TryNow t -> new Step(new Acquiring(v.freeSince(), false), List.of(new Effect.Write()));
            case Decision.TryAt t -> Step.stay(new Waiting(v.freeSince(), t.at()));
            case Decision.AfterPlanRefresh p -> Step.stay(new Waiting(v.freeSince(), p.at()));
            case Decision.NotOurs n -> Step.stay(new Waiting(v.freeSince(), LeaseState.NEVER));
        };
    }

    /** A holder stops counting as one; a request still in flight is carried on without counting. */
    private static Step standDown(LeaseState state, Situation s, String reason) {
        return switch (state) {
            case Renewing n -> new Step(new Acquiring(NOT_FREE, true), List.of(new Effect.Lost(reason)));
            case Rereading r -> new Step(new Rereading(null, 0, r.knownRv(), NOT_FREE), List.of(new Effect.Lost(reason)));
            default -> lostThenFollow(s, reason);
        };
    }

    /** A holder with nothing in flight stops counting as one and decides as a follower. */
    private static Step lostThenFollow(Situation s, String reason) {
        return follow(s, NOT_FREE).after(new Effect.Lost(reason));
    }

    private static Step reread(Rereading next) {
        return new Step(next, List.of(new Effect.Reread()));
    }

    /** A finished request of a lease: forget it unless it is campaigned for (again), then decide. */
    private static Step settle(Situation s) {
        return s.campaigning() ? follow(s, NOT_FREE) : new Step(new Waiting(NOT_FREE, LeaseState.NEVER), List.of(new Effect.Forget()));
    }

    /**
     * A lease no longer campaigned for whose last request failed: if the Lease still names this node (a renew
     * that hung, then failed), release it, or its successor waits a whole lease duration; else forget it.
     */
    private static Step giveBack(LeaseState state, Situation s) {
        return s.seenHeldByMe()
                ? new Step(new Releasing(Releasing.Phase.WRITE), List.of(new Effect.Release(s.seen().record())))
                : forget(state);
    }

    private static Step forget(LeaseState state) {
        return new Step(state, List.of(new Effect.Forget()));
    }

    private static String knownRv(Situation s) {
        return s.seen() == null ? null : s.seen().record().resourceVersion();
    }
}
