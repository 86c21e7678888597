package dev.l2announcer.election;

import dev.l2announcer.time.ManualScheduler;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * The Lease API of one namespace in memory, on a {@link ManualScheduler}: one per test, with one
 * {@link Connection} (a {@link LeaseStore}) per node. No looser than the API server the agent talks to:
 *
 * <ul>
 *   <li>every write bumps a cluster-wide resourceVersion; update and delete are conditional on it (409), create
 *       of an existing Lease is 409, update or delete of an absent one 404;</li>
 *   <li>answers and watch events arrive asynchronously (as tasks on the scheduler, events of a write before its
 *       answer, as the mock server mostly does), each watch in write order;</li>
 *   <li>a request never outlives the request timeout: a request that hangs fails with a timeout then, and
 *       a blackholed one was never applied, while one whose answer is lost was applied;</li>
 *   <li>a watch can be cut (no events, unhealthy) and restored (relist: current state delivered, then healthy).</li>
 * </ul>
 */
final class InMemoryLeaseApi {
    /** What the API does to a node's requests. */
    enum Fault {
        NONE,
        /** Packets dropped: nothing is applied, the request times out. */
        BLACKHOLE,
        /** Applied, but the answer never arrives: the request times out. */
        ANSWER_LOST,
        /** Connection refused: fails at once, nothing applied. */
        DOWN,
        /**
         * The request hangs on its way (a stuck proxy, a saturated API server): nothing is applied until
         * {@link Connection#releaseHeld()}, which applies every held request in order and answers it, unless the
         * request timed out first (then it is applied all the same, late, and its answer is lost; unless
         * {@link #applyTimedOutHeld} says otherwise).
         */
        HOLD
    }

    private final ManualScheduler time;
    private final Duration requestTimeout;
    private final Map<String, LeaseRecord> leases = new TreeMap<>();
    private final List<Connection> connections = new ArrayList<>();
    private final Map<String, LongAdder> requests = new ConcurrentHashMap<>();
    private long resourceVersion = 100;
    private Duration latency = Duration.ZERO;
    private boolean applyTimedOutHeld = true;
    private int conflicts;

    InMemoryLeaseApi(ManualScheduler time, Duration requestTimeout) {
        this.time = time;
        this.requestTimeout = requestTimeout;
    }

    Connection connect(String node) {
        Connection c = new Connection(node);
        connections.add(c);
        return c;
    }

    /**
     * Whether {@link Connection#releaseHeld()} still applies a held request whose client timed out (true, the
     * default: the API server got it and commits it late) or drops it (it never reached the API server).
     */
    void applyTimedOutHeld(boolean apply) {
        applyTimedOutHeld = apply;
    }

    /** Time from a request to its answer (and to its watch events). */
    void latency(Duration d) {
        latency = d;
    }

    LeaseRecord lease(String name) {
        return leases.get(name);
    }

    Map<String, LeaseRecord> leases() {
        return Map.copyOf(leases);
    }

    long requests(String verb) {
        LongAdder a = requests.get(verb);
        return a == null ? 0 : a.sum();
    }

    long writes() {
        return requests("create") + requests("update") + requests("delete");
    }

    int conflicts() {
        return conflicts;
    }

    /** A write by someone else (an admin, a Cilium agent): unconditional, as {@code kubectl edit} after a read. */
    LeaseRecord writeAsOther(String name, LeaseContent content) {
        return store(name, content);
    }

    void deleteAsOther(String name) {
        LeaseRecord gone = leases.remove(name);
        if (gone != null) {
            nextVersion();
            // An informer's delete event carries the last version it knew.
            for (Connection c : connections) c.deliver(gone, true);
        }
    }

    private LeaseRecord store(String name, LeaseContent content) {
        LeaseRecord record = new LeaseRecord(name, nextVersion(), content, null);
        leases.put(name, record);
        for (Connection c : connections) c.deliver(record, false);
        return record;
    }

    private String nextVersion() {
        return Long.toString(++resourceVersion);
    }

    /** One node's view of the API: its requests and its watch. */
    final class Connection implements LeaseStore {
        final String node;
        private Fault fault = Fault.NONE;
        private Duration serviceLeaseLatency = Duration.ZERO;
        private boolean failNext;
        private Observer observer;
        private boolean watchUp;
        private boolean closed;
        /** Events held back while the watch is stalled (connected and healthy, just late: a backlogged informer). */
        private List<Runnable> stalled;
        /** Requests held by {@link Fault#HOLD}, in send order. */
        private final List<Runnable> held = new ArrayList<>();

        Connection(String node) {
            this.node = node;
        }

        void fault(Fault f) {
            fault = f;
        }

        /**
         * Service Lease writes (not heartbeats) are answered (and applied) only after {@code d}: renewals queued
         * behind an API server's backlog and the client's rate limit, while the single heartbeat gets through.
         */
        void slowServiceLeaseWrites(Duration d) {
            serviceLeaseLatency = d;
        }

        /** Applies and answers (as tasks, in send order) every request {@link Fault#HOLD} held back so far. */
        void releaseHeld() {
            List<Runnable> now = List.copyOf(held);
            held.clear();
            now.forEach(time::execute);
        }

        /** The next request fails at once with a 500 (nothing applied); later ones behave as before. */
        void failNext() {
            failNext = true;
        }

        /** The watch breaks: no more events until {@link #restoreWatch()}. */
        void cutWatch() {
            watchUp = false;
        }

        /**
         * The watch stays connected and healthy but delivers nothing until {@link #resumeWatch()}, then everything
         * it held back, in order: an informer backlogged behind a burst, a CPU-starved agent, a slow API server.
         */
        void stallWatch() {
            if (stalled == null) stalled = new ArrayList<>();
        }

        void resumeWatch() {
            List<Runnable> held = stalled;
            stalled = null;
            if (held != null) held.forEach(time::execute);
        }

        /** The watch reconnects: relists (every current Lease delivered), then counts as synced. */
        void restoreWatch() {
            time.execute(() -> {
                if (closed || observer == null) return;
                for (LeaseRecord r : List.copyOf(leases.values())) observer.upserted(r);
                watchUp = true;
            });
        }

        @Override
        public CompletionStage<Result> get(String name) {
            return request("get", () -> {
                LeaseRecord r = leases.get(name);
                return r == null ? Result.failed(Outcome.NOT_FOUND, "not found", time.nanoTime()) : Result.ok(r, time.nanoTime());
            });
        }

        @Override
        public CompletionStage<Result> create(String name, LeaseContent content) {
            return request("create", requestTimeout, delayOf(name), () -> leases.containsKey(name)
                    ? conflict("already exists")
                    : Result.ok(store(name, content), time.nanoTime()));
        }

        @Override
        public CompletionStage<Result> update(LeaseRecord base, LeaseContent content) {
            return request("update", requestTimeout, delayOf(base.name()), () -> updateOf(base, content));
        }

        private Duration delayOf(String name) {
            return NodeHeartbeats.isHeartbeat(name) ? Duration.ZERO : serviceLeaseLatency;
        }

        @Override
        public CompletionStage<Result> write(String name, LeaseRecord base, LeaseContent content, Duration timeout) {
            Duration delay = delayOf(name);
            if (base == null) {
                return request("create", timeout, delay, () -> leases.containsKey(name)
                        ? conflict("already exists")
                        : Result.ok(store(name, content), time.nanoTime()));
            }
            return request("update", timeout, delay, () -> updateOf(base, content));
        }

        @Override
        public CompletionStage<Result> claim(LeaseRecord base, LeaseContent content, Duration timeout) {
            return request("update", timeout, () -> updateOf(base, content));
        }

        @Override
        public CompletionStage<Result> delete(LeaseRecord base) {
            return request("delete", () -> {
                LeaseRecord now = leases.get(base.name());
                if (now == null) return Result.failed(Outcome.NOT_FOUND, "not found", time.nanoTime());
                if (!now.resourceVersion().equals(base.resourceVersion())) return conflict("resourceVersion " + base.resourceVersion());
                deleteAsOther(base.name());
                return Result.ok(null, time.nanoTime());
            });
        }

        private Result updateOf(LeaseRecord base, LeaseContent content) {
            LeaseRecord now = leases.get(base.name());
            if (now == null) return Result.failed(Outcome.NOT_FOUND, "not found", time.nanoTime());
            if (!now.resourceVersion().equals(base.resourceVersion())) return conflict("resourceVersion " + base.resourceVersion());
            return Result.ok(store(base.name(), content), time.nanoTime());
        }

        private Result conflict(String why) {
            conflicts++;
            return Result.failed(Outcome.CONFLICT, "409 " + why, time.nanoTime());
        }

        private CompletionStage<Result> request(String verb, java.util.function.Supplier<Result> apply) {
            return request(verb, requestTimeout, apply);
        }

        private CompletionStage<Result> request(String verb, Duration requestTimeout, java.util.function.Supplier<Result> apply) {
            return request(verb, requestTimeout, Duration.ZERO, apply);
        }

        private CompletionStage<Result> request(String verb, Duration requestTimeout, Duration extraLatency,
                                                java.util.function.Supplier<Result> apply) {
            Duration latency = extraLatency.compareTo(InMemoryLeaseApi.this.latency) > 0 ? extraLatency : InMemoryLeaseApi.this.latency;
            requests.computeIfAbsent(verb, k -> new LongAdder()).increment();
            CompletableFuture<Result> answer = new CompletableFuture<>();
            long sentAt = time.nanoTime();
            if (closed) {
                answer.complete(Result.failed(Outcome.FAILED, "closed", sentAt));
                return answer;
            }
            if (failNext) {
                failNext = false;
                time.schedule(() -> answer.complete(Result.failed(Outcome.FAILED, "500 internal error", sentAt)), latency);
                return answer;
            }
            switch (fault) {
                case DOWN -> time.execute(() -> answer.complete(Result.failed(Outcome.FAILED, "connection refused", sentAt)));
                case BLACKHOLE -> time.schedule(() -> answer.complete(Result.failed(Outcome.FAILED, "timeout", sentAt)), requestTimeout);
                case HOLD -> {
                    held.add(() -> {
                        if (answer.isDone() && !applyTimedOutHeld) return;
                        Result r = apply.get();
                        time.execute(() -> answer.complete(new Result(r.outcome(), r.lease(), r.error(), sentAt)));
                    });
                    time.schedule(() -> answer.complete(Result.failed(Outcome.FAILED, "timeout", sentAt)), requestTimeout);
                }
                case ANSWER_LOST -> {
                    time.schedule(() -> {
                        apply.get();
                    }, latency);
                    time.schedule(() -> answer.complete(Result.failed(Outcome.FAILED, "timeout", sentAt)), requestTimeout);
                }
                case NONE -> {
                    if (latency.compareTo(requestTimeout) >= 0) { // applied, answered after the client gave up
                        time.schedule(apply::get, latency);
                        time.schedule(() -> answer.complete(Result.failed(Outcome.FAILED, "timeout", sentAt)), requestTimeout);
                        return answer;
                    }
                    Runnable respond = () -> {
                        Result r = apply.get();
                        time.execute(() -> answer.complete(new Result(r.outcome(), r.lease(), r.error(), sentAt)));
                    };
                    if (latency.isZero()) time.execute(respond); else time.schedule(respond, latency);
                }
            }
            return answer;
        }

        private void deliver(LeaseRecord record, boolean deleted) {
            if (closed || observer == null || !watchUp) return;
            Observer o = observer;
            Runnable event = () -> {
                if (closed || !watchUp) return;
                if (deleted) o.deleted(record); else o.upserted(record);
            };
            if (stalled != null) stalled.add(event); else time.execute(event);
        }

        @Override
        public void watch(Observer observer) {
            this.observer = observer;
            restoreWatch();
        }

        @Override
        public boolean watchHealthy() {
            return watchUp && !closed;
        }

        @Override
        public List<LeaseRecord> cached() {
            return List.copyOf(leases.values());
        }

        @Override
        public void stopWatch() {
            watchUp = false;
            observer = null;
        }

        @Override
        public void close() {
            stopWatch();
            closed = true;
        }
    }
}
