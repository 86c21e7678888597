package dev.l2announcer.election;

import static org.assertj.core.api.Assertions.assertThat;

import dev.l2announcer.config.LeaseTimings;
import dev.l2announcer.election.LeaseState.Acquiring;
import dev.l2announcer.election.LeaseState.Holding;
import dev.l2announcer.election.LeaseState.Releasing;
import dev.l2announcer.election.LeaseState.Renewing;
import dev.l2announcer.election.LeaseState.Rereading;
import dev.l2announcer.election.LeaseState.Waiting;
import dev.l2announcer.election.LeaseTransitions.Effect;
import dev.l2announcer.election.LeaseTransitions.Step;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SortedSet;
import java.util.TreeSet;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The election's decisions as a table, in the style of client-go's {@code testTryAcquireOrRenew}: each row is
 * {observed record, observed at, candidates, own state, now} and one input, and says the decision (next state
 * and effects) the pure rules must take. One synchronous call per row, no engine, no API.
 */
class LeaseDecisionTableTest {
    static final LeaseTimings TIMINGS = new LeaseTimings(Duration.ofSeconds(15), Duration.ofSeconds(5), Duration.ofSeconds(2),
            LeaseTimings.DEFAULT_HEARTBEAT_INTERVAL);
    static final ElectionTimes T = ElectionTimes.of(TIMINGS, TIMINGS.rankStep(), TIMINGS.maxRankDelay());
    static final long S = 1_000_000_000L;
    static final long MS = 1_000_000L;
    static final long NOW = 100 * S;
    static final String ME = "node-b";
    static final String LEASE = "cilium-l2announce-default-web";
    static final SortedSet<String> NODES = new TreeSet<>(Set.of("node-a", "node-b", "node-c"));

    /** What the ranking says in a row. */
    record Ranking(SortedSet<String> candidates, int rank, long refreshAt, String first, Set<String> alive, Set<String> dead,
                   Set<String> beating) implements Candidacy {
        Ranking(SortedSet<String> candidates, int rank, long refreshAt, String first, Set<String> alive, Set<String> dead) {
            this(candidates, rank, refreshAt, first, alive, dead, Set.of());
        }

        @Override public int rank() { return rank; }
        @Override public long planRefreshAt() { return refreshAt; }
        @Override public String firstRanked() { return first; }
        @Override public boolean alive(String node) { return alive.contains(node); }
        @Override public boolean dead(String node) { return dead.contains(node); }
        @Override public boolean beating(String node) { return beating.contains(node); }

        static Ranking rank(int rank) {
            return new Ranking(NODES, rank, NOW + 20 * MS, rank == 0 ? ME : "node-a", Set.of(), Set.of());
        }

        Ranking withAlive(String... nodes) {
            return new Ranking(candidates, rank, refreshAt, first, Set.of(nodes), dead);
        }

        Ranking withDead(String... nodes) {
            return new Ranking(candidates, rank, refreshAt, first, alive, Set.of(nodes));
        }
    }

    /** The inputs of a transition. */
    enum Input { RECONSIDER, WAKE, DEADLINE, OBSERVED, DELETED, WRITTEN, REREAD, RELEASE_ANSWERED, DROPPED, RESYNCED, CLAIMED_DEAD }

    /**
     * @param seen    observed Lease (null: absent) and when
     * @param result  the answer, for WRITTEN / REREAD / RELEASE_ANSWERED
     * @param expect  the decision the row asserts
     */
    record Row(String name, Observation seen, Ranking ranking, LeaseState state, boolean campaigning, boolean watchHealthy,
               Input input, LeaseStore.Result result, Step expect, boolean retired, Situation.HolderLiveness holder,
               boolean quarantined, long floor) {
        Row(String name, Observation seen, Ranking ranking, LeaseState state, boolean campaigning, boolean watchHealthy,
            Input input, LeaseStore.Result result, Step expect) {
            this(name, seen, ranking, state, campaigning, watchHealthy, input, result, expect, false);
        }

        Row(String name, Observation seen, Ranking ranking, LeaseState state, boolean campaigning, boolean watchHealthy,
            Input input, LeaseStore.Result result, Step expect, boolean retired) {
            this(name, seen, ranking, state, campaigning, watchHealthy, input, result, expect, retired,
                    Situation.HolderLiveness.UNKNOWN, false, Situation.UNKNOWN_FLOOR);
        }

        /** A follower row of the fast path: the holder's heartbeat expires at {@code goneAt}, a promise until {@code holdOff}. */
        static Row heartbeat(String name, Observation seen, Ranking ranking, long goneAt, long holdOff, Step expect) {
            return licensed(name, seen, ranking, goneAt, holdOff, Long.MIN_VALUE, expect);
        }

        /** As {@link #heartbeat}, with a claim on the holder's heartbeat that licenses takeovers until {@code licensedUntil}. */
        static Row licensed(String name, Observation seen, Ranking ranking, long goneAt, long holdOff, long licensedUntil, Step expect) {
            return new Row(name, seen, ranking, FRESH, true, true, Input.RECONSIDER, null, expect, false,
                    new Situation.HolderLiveness(goneAt, holdOff, licensedUntil, CLAIM_RETRY_AT, Long.MIN_VALUE), false, Situation.UNKNOWN_FLOOR);
        }

        /** A follower that told the holder during an API outage it could not reach the API: no expiry takeover before {@code expiryHoldOff}. */
        static Row promised(String name, Observation seen, long goneAt, long expiryHoldOff, Step expect) {
            return new Row(name, seen, Ranking.rank(0), FRESH, true, true, Input.RECONSIDER, null, expect, false,
                    new Situation.HolderLiveness(goneAt, Long.MIN_VALUE, Long.MIN_VALUE, CLAIM_RETRY_AT, expiryHoldOff), false,
                    Situation.UNKNOWN_FLOOR);
        }

        /** A row of a node that learnt its own heartbeat was claimed (judged dead by the others). */
        static Row quarantined(String name, Observation seen, LeaseState state, Input input, LeaseStore.Result result, Step expect) {
            return new Row(name, seen, Ranking.rank(0), state, true, true, input, result, expect, false,
                    Situation.HolderLiveness.UNKNOWN, true, NOW - 100 * MS);
        }

        /** The watch delivers {@code seen} after this node's own heartbeat sent at {@code floor}. */
        static Row delivered(String name, Observation seen, LeaseState state, boolean campaigning, long floor, Step expect) {
            return new Row(name, seen, Ranking.rank(1), state, campaigning, true, Input.OBSERVED, null, expect, false,
                    Situation.HolderLiveness.UNKNOWN, false, floor);
        }

        @Override
        public String toString() {
            return name;
        }

        Step run() {
            Situation s = new Situation(LEASE, ME, NOW, seen, campaigning, false, watchHealthy, ranking, T, retired,
                    holder, quarantined, floor);
            return switch (input) {
                case RECONSIDER -> LeaseTransitions.reconsider(state, s);
                case WAKE -> LeaseTransitions.woken(state, s);
                case DEADLINE -> LeaseTransitions.deadlinePassed(state, s);
                case OBSERVED -> LeaseTransitions.observed(state, s, false);
                case DELETED -> LeaseTransitions.observed(state, s, true);
                case WRITTEN -> LeaseTransitions.written(state, result, s);
                case REREAD -> LeaseTransitions.reread(state, result, s);
                case RELEASE_ANSWERED -> LeaseTransitions.releaseAnswered(state, result, s);
                case DROPPED -> LeaseTransitions.dropped(state, s);
                case RESYNCED -> LeaseTransitions.resynced(state, s);
                case CLAIMED_DEAD -> LeaseTransitions.claimedDead(state, s, "node-c");
            };
        }
    }

    static LeaseRecord record(String rv, String holder, int durationSeconds, Map<String, String> annotations) {
        Instant t = Instant.parse("2026-01-01T00:00:00Z");
        return new LeaseRecord(LEASE, rv, new LeaseContent(holder, durationSeconds, t, t, 1, annotations), null);
    }

    static Observation seen(String holder, long observedAt) {
        return new Observation(record("10", holder, 15, Map.of()), observedAt, 15, null);
    }

    static Observation released(String by, String successor) {
        Map<String, String> a = successor == null ? Map.of() : Map.of(LeaseRecords.SUCCESSOR_ANNOTATION, successor);
        return new Observation(record("11", "", 1, a), NOW - 10 * MS, 1, by);
    }

    static final LeaseRecord MINE = record("10", ME, 15, Map.of());
    static final Waiting FRESH = new Waiting(LeaseState.NOT_FREE, LeaseState.NEVER);
    static final long LAST_RENEW = NOW - 1500 * MS;
    static final long CLAIM_RETRY_AT = NOW + 400 * MS;

    static Step waitUntil(long freeSince, long at) {
        return new Step(new Waiting(freeSince, at), List.of());
    }

    static Step write(long freeSince) {
        return new Step(new Acquiring(freeSince, false), List.of(new Effect.Write()));
    }

    static LeaseStore.Result ok(LeaseRecord r, long sentAt) {
        return LeaseStore.Result.ok(r, sentAt);
    }

    static LeaseStore.Result failed(LeaseStore.Outcome o) {
        return LeaseStore.Result.failed(o, o.name(), NOW - 10 * MS);
    }

    static Row follower(String name, Observation seen, Ranking ranking, Step expect) {
        return new Row(name, seen, ranking, FRESH, true, true, Input.RECONSIDER, null, expect);
    }

    static Stream<Row> rows() {
        Observation mineSeen = new Observation(MINE, NOW - 100 * MS, 15, null);
        Observation taken = seen("node-c", NOW - 10 * MS);
        return Stream.of(
                // ---- followers: when to try
                follower("free lease (absent), first-ranked: create now", null, Ranking.rank(0), write(NOW)),
                follower("absent, second-ranked: the first creates it, wait a lease duration more", null, Ranking.rank(1),
                        waitUntil(NOW, NOW + T.lease() + T.rankStep())),
                follower("absent, first-ranked node is dead: only the rank delay", null, Ranking.rank(1).withDead("node-a"),
                        waitUntil(NOW, NOW + T.rankStep())),
                follower("live holder: decide again when it expires (observed + leaseDurationSeconds)",
                        seen("node-a", NOW - 3 * S), Ranking.rank(0), waitUntil(LeaseState.NOT_FREE, NOW + 12 * S)),
                follower("expired holder, first-ranked: take it now", seen("node-a", NOW - 15 * S), Ranking.rank(0), write(NOW)),
                follower("expired holder, third-ranked: rank delay", seen("node-a", NOW - 16 * S), Ranking.rank(2),
                        waitUntil(NOW, NOW + 2 * T.rankStep())),
                follower("rank delay is capped", seen("node-a", NOW - 16 * S), Ranking.rank(1000),
                        waitUntil(NOW, NOW + T.maxRankDelay())),
                new Row("rank delay counts from when it was first judged free", seen("node-a", NOW - 16 * S), Ranking.rank(2),
                        new Waiting(NOW - 2 * T.rankStep(), NOW), true, true, Input.WAKE, null, write(NOW - 2 * T.rankStep())),
                follower("own record after restart, still live: renew at once", mineSeen, Ranking.rank(2), write(LeaseState.NOT_FREE)),
                follower("released naming us as successor: at once", released("node-a", ME), Ranking.rank(2), write(NOW)),
                follower("released naming another, known alive: a lease duration, then rendezvous order",
                        released("node-a", "node-c"), Ranking.rank(0).withAlive("node-c"),
                        waitUntil(NOW, NOW + T.lease() + behind(ME) * T.rankStep())),
                follower("released naming another, not known alive: the released record's 1 s",
                        released("node-a", "node-c"), Ranking.rank(0),
                        waitUntil(NOW, NOW + S + behind(ME) * T.rankStep())),
                follower("released naming a node that is no candidate: ranked as any free lease",
                        released("node-a", "node-z"), Ranking.rank(0), write(NOW)),
                follower("rank unknown until the plan refresh", seen("node-a", NOW - 16 * S), Ranking.rank(-1),
                        waitUntil(NOW, NOW + 20 * MS)),
                new Row("watch not synced: nothing", seen("node-a", NOW - 16 * S), Ranking.rank(0), FRESH, true, false,
                        Input.RECONSIDER, null, waitUntil(LeaseState.NOT_FREE, LeaseState.NEVER)),
                new Row("watch just reconnected: a free judgement is forgotten, expiry restarts from the resync",
                        seen("node-a", NOW), Ranking.rank(0), new Waiting(NOW - S, NOW), true, true, Input.RESYNCED, null,
                        waitUntil(LeaseState.NOT_FREE, NOW + 15 * S)),
                new Row("not campaigning: nothing", null, Ranking.rank(0), FRESH, false, true, Input.RECONSIDER, null,
                        waitUntil(LeaseState.NOT_FREE, LeaseState.NEVER)),

                // ---- fast path: node heartbeats
                Row.heartbeat("live holder whose heartbeat stopped: claim its heartbeat first (a late watch looks the same)",
                        seen("node-a", NOW - 3 * S), Ranking.rank(0), NOW - 10 * MS, Long.MIN_VALUE,
                        new Step(new Waiting(NOW, CLAIM_RETRY_AT), List.of(new Effect.ClaimHeartbeat("node-a")))),
                Row.licensed("heartbeat stopped and claimed: take it now, to be answered within the license",
                        seen("node-a", NOW - 3 * S), Ranking.rank(0), NOW - 10 * MS, Long.MIN_VALUE, NOW + 2 * S,
                        new Step(new Acquiring(NOW, false, NOW + 2 * S), List.of(new Effect.Write()))),
                Row.licensed("a license that ran out: claim again",
                        seen("node-a", NOW - 3 * S), Ranking.rank(0), NOW - 10 * MS, Long.MIN_VALUE, NOW,
                        new Step(new Waiting(NOW, CLAIM_RETRY_AT), List.of(new Effect.ClaimHeartbeat("node-a")))),
                Row.licensed("Service Lease expired as well: the lease model alone, no license needed",
                        seen("node-a", NOW - 15 * S), Ranking.rank(0), NOW - 10 * MS, Long.MIN_VALUE, Long.MIN_VALUE, write(NOW)),
                Row.heartbeat("live holder whose heartbeat runs: wait for the earlier of heartbeat and lease expiry",
                        seen("node-a", NOW - 3 * S), Ranking.rank(0), NOW + 700 * MS, Long.MIN_VALUE,
                        waitUntil(LeaseState.NOT_FREE, NOW + 700 * MS)),
                Row.heartbeat("heartbeat stopped, but we promised the holder during an outage: not before the promise",
                        seen("node-a", NOW - 3 * S), Ranking.rank(0), NOW - 10 * MS, NOW + 500 * MS,
                        waitUntil(LeaseState.NOT_FREE, NOW + 500 * MS)),
                Row.promised("Service Lease looks expired after an API outage we confirmed to its holder, whose heartbeat runs: "
                                + "no takeover by expiry (we could not see its renewals), wait for its heartbeat",
                        seen("node-a", NOW - 20 * S), NOW + 700 * MS, NOW + 3 * S, waitUntil(LeaseState.NOT_FREE, NOW + 700 * MS)),
                Row.promised("as above, its heartbeat stopped too: claim the heartbeat first, as for an unexpired lease",
                        seen("node-a", NOW - 20 * S), NOW - 10 * MS, NOW + 3 * S,
                        new Step(new Waiting(NOW, CLAIM_RETRY_AT), List.of(new Effect.ClaimHeartbeat("node-a")))),
                Row.promised("a lease duration after the promise: expiry counts again",
                        seen("node-a", NOW - 20 * S), NOW + 700 * MS, NOW - MS, write(NOW)),
                Row.heartbeat("heartbeat stopped, second-ranked: the rank delay (the first goes at once)",
                        seen("node-a", NOW - 3 * S), Ranking.rank(1), NOW - 10 * MS, Long.MIN_VALUE,
                        waitUntil(NOW, NOW + T.rankStep())),
                Row.heartbeat("heartbeat stopped, second-ranked, the first-ranked successor beats (holding nothing yet): it goes first, "
                                + "we wait a heartbeat expiry more (no double write of its share)",
                        seen("node-a", NOW - 3 * S), new Ranking(NODES, 1, NOW + 20 * MS, "node-c", Set.of(), Set.of(), Set.of("node-c")),
                        NOW - 10 * MS, Long.MIN_VALUE, waitUntil(NOW, NOW + T.rankStep() + 700 * MS)),
                new Row("as above, the wait is over and the first-ranked has not taken it: take it within the license",
                        seen("node-a", NOW - 3 * S), new Ranking(NODES, 1, NOW + 20 * MS, "node-c", Set.of(), Set.of(), Set.of("node-c")),
                        new Waiting(NOW - T.rankStep() - 700 * MS, NOW), true, true, Input.WAKE, null,
                        new Step(new Acquiring(NOW - T.rankStep() - 700 * MS, false, NOW + 2 * S), List.of(new Effect.Write())),
                        false, new Situation.HolderLiveness(NOW - 10 * MS, Long.MIN_VALUE, NOW + 2 * S, CLAIM_RETRY_AT,
                                Long.MIN_VALUE), false, Situation.UNKNOWN_FLOOR),
                Row.heartbeat("heartbeat stopped, second-ranked, the first-ranked holds leases but was never seen beating "
                                + "(a Cilium agent): the rank delay alone",
                        seen("node-a", NOW - 3 * S), new Ranking(NODES, 1, NOW + 20 * MS, "node-c", Set.of("node-c"), Set.of()),
                        NOW - 10 * MS, Long.MIN_VALUE, waitUntil(NOW, NOW + T.rankStep())),
                Row.heartbeat("Service Lease expired (the lease model): the rank delay alone, even with the first-ranked beating",
                        seen("node-a", NOW - 16 * S), new Ranking(NODES, 1, NOW + 20 * MS, "node-c", Set.of(), Set.of(), Set.of("node-c")),
                        NOW - 10 * MS, Long.MIN_VALUE, waitUntil(NOW, NOW + T.rankStep())),

                // ---- acquiring: the answer
                new Row("acquired within the renew deadline: holding", null, Ranking.rank(0), new Acquiring(NOW - S, false), true, true,
                        Input.WRITTEN, ok(MINE, NOW - 50 * MS),
                        new Step(new Holding(MINE, NOW - 50 * MS), List.of(new Effect.Acquired(NOW - S)))),
                new Row("acquire answered after the deadline: does not count, write afresh", mineSeen, Ranking.rank(0),
                        new Acquiring(NOW - 6 * S, false), true, true, Input.WRITTEN, ok(MINE, NOW - 5 * S), write(NOW - 6 * S)),
                new Row("acquire conflicted (409): read once", taken, Ranking.rank(0), new Acquiring(NOW, false), true, true,
                        Input.WRITTEN, failed(LeaseStore.Outcome.CONFLICT),
                        new Step(new Rereading(null, 0, "10", NOW), List.of(new Effect.Reread()))),
                new Row("acquire failed: not before a retry period", null, Ranking.rank(0), new Acquiring(NOW, false), true, true,
                        Input.WRITTEN, failed(LeaseStore.Outcome.FAILED), waitUntil(NOW, NOW + T.retry())),
                new Row("acquired while dropped from the campaign: never announced, released", null, Ranking.rank(0),
                        new Acquiring(NOW, false), false, true, Input.WRITTEN, ok(MINE, NOW - 50 * MS),
                        new Step(new Releasing(Releasing.Phase.WRITE), List.of(new Effect.Release(MINE)))),
                new Row("licensed takeover answered after its license: given back, never announced", taken, Ranking.rank(0),
                        new Acquiring(NOW - S, false, NOW - 10 * MS), true, true, Input.WRITTEN, ok(MINE, NOW - 900 * MS),
                        new Step(new Releasing(Releasing.Phase.WRITE), List.of(new Effect.Release(MINE)))),
                new Row("licensed takeover answered within its license: holding", taken, Ranking.rank(0),
                        new Acquiring(NOW - S, false, NOW + 10 * MS), true, true, Input.WRITTEN, ok(MINE, NOW - 900 * MS),
                        new Step(new Holding(MINE, NOW - 900 * MS), List.of(new Effect.Acquired(NOW - S)))),
                new Row("re-read after 409 shows nothing new: do not spin", taken, Ranking.rank(0), new Rereading(null, 0, "10", NOW),
                        true, true, Input.REREAD, ok(taken.record(), NOW), waitUntil(NOW, NOW + T.retry())),

                // ---- holders
                new Row("renew due: renew", mineSeen, Ranking.rank(0), new Holding(MINE, LAST_RENEW), true, true, Input.WAKE, null,
                        new Step(new Renewing(MINE, LAST_RENEW), List.of(new Effect.Renew(MINE)))),
                new Row("renew answered: holding from the later send", mineSeen, Ranking.rank(0), new Renewing(MINE, LAST_RENEW), true, true,
                        Input.WRITTEN, ok(record("12", ME, 15, Map.of()), NOW - 20 * MS),
                        new Step(new Holding(record("12", ME, 15, Map.of()), NOW - 20 * MS), List.of())),
                new Row("409 on renew: read once, still holding", mineSeen, Ranking.rank(0), new Renewing(MINE, LAST_RENEW), true, true,
                        Input.WRITTEN, failed(LeaseStore.Outcome.CONFLICT),
                        new Step(new Rereading(MINE, LAST_RENEW, "10", LeaseState.NOT_FREE), List.of(new Effect.Reread()))),
                new Row("re-read shows our own newer version: renew on top of it", new Observation(record("13", ME, 15, Map.of()), NOW, 15, null),
                        Ranking.rank(0), new Rereading(MINE, LAST_RENEW, "10", LeaseState.NOT_FREE), true, true, Input.REREAD,
                        ok(record("13", ME, 15, Map.of()), NOW),
                        new Step(new Renewing(record("13", ME, 15, Map.of()), LAST_RENEW), List.of(new Effect.Renew(record("13", ME, 15, Map.of()))))),
                new Row("foreign holder written over ours: stand down at once", taken, Ranking.rank(0), new Holding(MINE, LAST_RENEW),
                        true, true, Input.OBSERVED, null,
                        new Step(new Waiting(LeaseState.NOT_FREE, taken.expiresAt()), List.of(new Effect.Lost("lease taken over by node-c")))),
                new Row("released by another writer while we hold: stand down", released("x", null), Ranking.rank(1),
                        new Holding(MINE, LAST_RENEW), true, true, Input.OBSERVED, null,
                        new Step(new Waiting(NOW, NOW + T.rankStep()), List.of(new Effect.Lost("lease released by another writer")))),
                new Row("renew failed: keep holding until the deadline, try again a retry period after the attempt", mineSeen,
                        Ranking.rank(0), new Renewing(MINE, LAST_RENEW), true, true, Input.WRITTEN, failed(LeaseStore.Outcome.FAILED),
                        new Step(new Holding(MINE, LAST_RENEW, NOW - 10 * MS), List.of())),
                new Row("renew deadline passed while a renew hangs: lost, the renew no longer counts", mineSeen, Ranking.rank(0),
                        new Renewing(MINE, NOW - 5 * S), true, true, Input.DEADLINE, null,
                        new Step(new Acquiring(LeaseState.NOT_FREE, true), List.of(new Effect.Lost(LeaseTransitions.DEADLINE_PASSED)))),
                new Row("renew answered after the deadline: decide afresh (own record: write again)", mineSeen, Ranking.rank(0),
                        new Acquiring(LeaseState.NOT_FREE, true), true, true, Input.WRITTEN, ok(MINE, NOW - 6 * S), write(LeaseState.NOT_FREE)),
                new Row("deadline timer before the deadline: nothing", mineSeen, Ranking.rank(0), new Holding(MINE, NOW - 4 * S), true, true,
                        Input.DEADLINE, null, new Step(new Holding(MINE, NOW - 4 * S), List.of())),
                new Row("lease deleted while held: stand down, then create it again (first-ranked)", null, Ranking.rank(0),
                        new Holding(MINE, LAST_RENEW), true, true, Input.DELETED, null,
                        new Step(new Acquiring(NOW, false), List.of(new Effect.Lost("lease deleted"), new Effect.Write()))),
                new Row("renew answered 404: stand down", null, Ranking.rank(1).withDead("node-a"), new Renewing(MINE, LAST_RENEW), true, true,
                        Input.WRITTEN, failed(LeaseStore.Outcome.NOT_FOUND),
                        new Step(new Waiting(NOW, NOW + T.rankStep()), List.of(new Effect.Lost("lease deleted")))),

                // ---- graceful handover: a version naming this node arrives on the watch
                Row.delivered("handed over to us, the watch current to 150 ms ago: holding at once, as renewed then",
                        mineSeen, FRESH, true, NOW - 150 * MS,
                        new Step(new Holding(MINE, NOW - 150 * MS), List.of(new Effect.Acquired(LeaseState.NOT_FREE)))),
                Row.delivered("handed over, but the watch is older than the renew deadline: confirm by a write",
                        mineSeen, FRESH, true, NOW - 5 * S, write(LeaseState.NOT_FREE)),
                Row.delivered("handed over before any own heartbeat was delivered (or after a watch gap): write",
                        mineSeen, FRESH, true, Situation.UNKNOWN_FLOOR, write(LeaseState.NOT_FREE)),
                Row.delivered("handed over while we no longer campaign: not taken", mineSeen, FRESH, false, NOW - 150 * MS,
                        waitUntil(LeaseState.NOT_FREE, LeaseState.NEVER)),
                Row.delivered("a version naming us while our own write is in flight: the write decides", mineSeen,
                        new Acquiring(NOW - S, false), true, NOW - 150 * MS, new Step(new Acquiring(LeaseState.NOT_FREE, false), List.of())),
                Row.quarantined("handed over while judged dead: not taken", mineSeen, FRESH, Input.OBSERVED, null,
                        waitUntil(LeaseState.NOT_FREE, LeaseState.NEVER)),

                // ---- judged dead: this node's own heartbeat was claimed
                Row.quarantined("own heartbeat claimed while holding: stand down at once, acquire nothing", mineSeen,
                        new Holding(MINE, LAST_RENEW), Input.CLAIMED_DEAD, null,
                        new Step(waitUntil(LeaseState.NOT_FREE, LeaseState.NEVER).next(),
                                List.of(new Effect.Lost("own heartbeat claimed by node-c (judged dead)")))),
                Row.quarantined("own heartbeat claimed while a renew is in flight: lost now, its answer will not count",
                        mineSeen, new Renewing(MINE, LAST_RENEW), Input.CLAIMED_DEAD, null,
                        new Step(new Acquiring(LeaseState.NOT_FREE, true),
                                List.of(new Effect.Lost("own heartbeat claimed by node-c (judged dead)")))),
                Row.quarantined("quarantined: not even a free lease is taken", seen("node-a", NOW - 16 * S), FRESH,
                        Input.RECONSIDER, null, waitUntil(LeaseState.NOT_FREE, LeaseState.NEVER)),
                Row.quarantined("quarantined: not even its own record after a restart", mineSeen, FRESH,
                        Input.RECONSIDER, null, waitUntil(LeaseState.NOT_FREE, LeaseState.NEVER)),
                Row.quarantined("acquire answered while quarantined: given back, never announced", null,
                        new Acquiring(NOW - S, false), Input.WRITTEN, ok(MINE, NOW - 50 * MS),
                        new Step(new Releasing(Releasing.Phase.WRITE), List.of(new Effect.Release(MINE)))),
                Row.quarantined("renew answered after standing down in quarantine: given back", mineSeen,
                        new Acquiring(LeaseState.NOT_FREE, true), Input.WRITTEN, ok(MINE, NOW - 50 * MS),
                        new Step(new Releasing(Releasing.Phase.WRITE), List.of(new Effect.Release(MINE)))),
                Row.quarantined("claimed while merely waiting: nothing to stand down from", seen("node-a", NOW - 3 * S), FRESH,
                        Input.CLAIMED_DEAD, null, new Step(FRESH, List.of())),

                // ---- leaving
                new Row("dropped while holding: released first, then the release record", mineSeen, Ranking.rank(0),
                        new Holding(MINE, LAST_RENEW), false, true, Input.DROPPED, null,
                        new Step(new Releasing(Releasing.Phase.WRITE), List.of(new Effect.Released(), new Effect.Release(MINE)))),
                new Row("dropped because its group is gone everywhere: released first, then deleted (conditionally)", mineSeen,
                        Ranking.rank(0), new Holding(MINE, LAST_RENEW), false, true, Input.DROPPED, null,
                        new Step(new Releasing(Releasing.Phase.DELETE), List.of(new Effect.Released(), new Effect.Delete(MINE))), true),
                new Row("delete answered: forgotten", null, Ranking.rank(0), new Releasing(Releasing.Phase.DELETE), false, true,
                        Input.RELEASE_ANSWERED, LeaseStore.Result.ok(null, NOW), new Step(FRESH, List.of(new Effect.Forget())), true),
                new Row("dropped while a renew is in flight: released now, its answer is given back", mineSeen, Ranking.rank(0),
                        new Renewing(MINE, LAST_RENEW), false, true, Input.DROPPED, null,
                        new Step(new Acquiring(LeaseState.NOT_FREE, true), List.of(new Effect.Released()))),
                new Row("dropped, then its renew failed: the Lease still names us, release it (no successor waits a lease duration)",
                        mineSeen, Ranking.rank(0), new Acquiring(LeaseState.NOT_FREE, true), false, true, Input.WRITTEN,
                        failed(LeaseStore.Outcome.FAILED),
                        new Step(new Releasing(Releasing.Phase.WRITE), List.of(new Effect.Release(MINE)))),
                new Row("dropped, acquire failed and the Lease is someone else's: forgotten", taken, Ranking.rank(0),
                        new Acquiring(NOW, false), false, true, Input.WRITTEN, failed(LeaseStore.Outcome.FAILED),
                        new Step(new Acquiring(NOW, false), List.of(new Effect.Forget()))),
                new Row("dropped while waiting: forgotten", taken, Ranking.rank(0), FRESH, false, true, Input.DROPPED, null,
                        new Step(FRESH, List.of(new Effect.Forget()))),
                new Row("release conflicted: read it back once", mineSeen, Ranking.rank(0), new Releasing(Releasing.Phase.WRITE), false, true,
                        Input.RELEASE_ANSWERED, failed(LeaseStore.Outcome.CONFLICT),
                        new Step(new Releasing(Releasing.Phase.READ_BACK), List.of(new Effect.Reread()))),
                new Row("read back still ours: release again on top of it", mineSeen, Ranking.rank(0), new Releasing(Releasing.Phase.READ_BACK),
                        false, true, Input.RELEASE_ANSWERED, ok(MINE, NOW),
                        new Step(new Releasing(Releasing.Phase.RETRY), List.of(new Effect.Release(MINE)))),
                new Row("release answered: forgotten", mineSeen, Ranking.rank(0), new Releasing(Releasing.Phase.WRITE), false, true,
                        Input.RELEASE_ANSWERED, ok(record("14", "", 1, Map.of()), NOW),
                        new Step(FRESH, List.of(new Effect.Forget()))));
    }

    /** How many candidates precede this node in rendezvous order for the lease (the stagger behind a successor). */
    static int behind(String node) {
        return CandidateRanking.byRendezvous(LEASE, NODES).indexOf(node);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("rows")
    void decides(Row row) {
        Step got = row.run();
        assertThat(got.next()).as("next state").isEqualTo(row.expect().next());
        assertThat(got.effects()).as("effects").isEqualTo(row.expect().effects());
    }

    /** The two rules that make takeovers safe, over every row: writes only as a follower, announcements only after a write. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("rows")
    void onlyAFollowerWritesToAcquireAndOnlyAnAnsweredWriteAcquires(Row row) {
        Step got = row.run();
        Function<Class<?>, Boolean> has = c -> got.effects().stream().anyMatch(c::isInstance);
        if (has.apply(Effect.Acquired.class)) {
            if (row.input() == Input.OBSERVED) {
                // a handover: held as renewed at the stream floor, only within the renew deadline of it
                assertThat(row.floor() + T.renewDeadline()).isGreaterThan(NOW);
                assertThat(((Holding) got.next()).lastRenewSentAt()).isEqualTo(row.floor());
            } else {
                assertThat(row.input()).isEqualTo(Input.WRITTEN);
                assertThat(row.result().ok()).isTrue();
                assertThat(row.result().sentAt() + T.renewDeadline()).isGreaterThan(NOW);
            }
        }
        if (has.apply(Effect.Write.class)) {
            // A holder renews; it acquires only after it stood down (and said so first).
            if (row.state().held()) assertThat(got.effects().getFirst()).isInstanceOf(Effect.Lost.class);
            assertThat(got.next()).isInstanceOf(Acquiring.class);
        }
        if (got.next().held()) {
            assertThat(row.state().held() || has.apply(Effect.Acquired.class)).isTrue();
        }
        // The fast path's rules: a node judged dead takes nothing; a live, unexpired holder's lease is written
        // only under a license from a claim on its heartbeat, and such a takeover counts only within it.
        if (row.quarantined()) {
            assertThat(has.apply(Effect.Write.class) || has.apply(Effect.Acquired.class)).isFalse();
        }
        Observation seen = row.seen();
        if (has.apply(Effect.Write.class) && seen != null && !seen.free() && !ME.equals(seen.holder()) && NOW < seen.expiresAt()) {
            assertThat(row.holder().licensedUntil()).isGreaterThan(NOW);
            assertThat(((Acquiring) got.next()).answerBy()).isEqualTo(row.holder().licensedUntil());
        }
        if (has.apply(Effect.Acquired.class) && row.state() instanceof Acquiring a) {
            assertThat(a.answerBy()).isGreaterThan(NOW);
        }
    }
}
