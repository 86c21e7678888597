package dev.l2announcer.election;

import static org.awaitility.Awaitility.await;

import dev.l2announcer.config.LeaseTimings;
import dev.l2announcer.selection.LeaseNames;
import dev.l2announcer.time.ManualScheduler;
import dev.l2announcer.time.Ticker;
import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import io.fabric8.mockwebserver.http.Dispatcher;
import io.fabric8.mockwebserver.http.MockResponse;
import io.fabric8.mockwebserver.http.RecordedRequest;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Function;

/**
 * A fabric8 CRUD mock server and several in-process agents, each with its own client, store and node name: for
 * what is about HTTP (409s, hanging requests, reconnects, the fields on the wire). Agents started on
 * {@link #time} run on that manual scheduler, driven by the test's thread ({@link #step}); the others run on
 * their own thread in real time, exactly as in production.
 */
final class ElectionHarness implements AutoCloseable {
    static final String NS = "kube-system";

    final CountingDispatcher dispatcher = new CountingDispatcher(new KubernetesCrudDispatcher(List.of()));
    final KubernetesMockServer server = new KubernetesMockServer(new Context(), new MockWebServer(), new HashMap<>(), dispatcher, true);
    final KubernetesClient admin;
    final List<Agent> agents = new CopyOnWriteArrayList<>();
    /** The manual time of the agents started on it. */
    final ManualScheduler time = new ManualScheduler();

    ElectionHarness() {
        server.init();
        admin = server.createClient();
    }

    record Event(LeadershipEvent event, long tickerNanos) {}

    static final class Agent {
        final String node;
        final KubernetesClient client;
        final LeaseElectionEngine engine;
        final MeterRegistry registry;
        final TrackingStore store;
        final List<Event> events = new CopyOnWriteArrayList<>();
        volatile boolean killed;

        Agent(String node, KubernetesClient client, LeaseElectionEngine engine, MeterRegistry registry, TrackingStore store) {
            this.node = node;
            this.client = client;
            this.engine = engine;
            this.registry = registry;
            this.store = store;
        }

        /** Kill -9: no release, client gone. */
        void kill() {
            killed = true;
            engine.abandon();
            client.close();
        }

        double counter(String name, String... tags) {
            var c = registry.find(name).tags(tags).counter();
            return c == null ? 0 : c.count();
        }
    }

    Agent start(String node, LeaseTimings timings, Ticker ticker, Clock clock) {
        return start(node, client(), timings, ticker, clock, l -> Map.of());
    }

    Agent start(String node, KubernetesClient client, LeaseTimings timings, Ticker ticker, Clock clock,
            Function<String, Map<String, String>> annotations) {
        return start(node, client, timings, ticker, clock, annotations, LeaseElectionEngine.Options.defaults(timings), new SimpleMeterRegistry());
    }

    /** On {@link #time} when {@code ticker} is it, else on a thread of its own in real time. */
    Agent start(String node, KubernetesClient client, LeaseTimings timings, Ticker ticker, Clock clock,
            Function<String, Map<String, String>> annotations, LeaseElectionEngine.Options options, MeterRegistry registry) {
        LeaseElectionEngine engine;
        TrackingStore store = null;
        if (ticker == time) {
            store = new TrackingStore(new KubernetesLeaseStore(client, NS, LeaseNames.NAME_PREFIX, timings.requestTimeout(),
                    KubernetesLeaseStore.IO_THREADS, time));
            engine = new LeaseElectionEngine(store, node, timings, options, time, time, clock, registry, annotations, () -> {}).start();
        } else {
            engine = KubernetesLeaseStore.startElection(client, NS, node, timings, options, ticker, clock, registry, annotations);
        }
        Agent agent = new Agent(node, client, engine, registry, store);
        engine.subscribe(e -> agent.events.add(new Event(e, ticker.nanoTime())));
        agents.add(agent);
        return agent;
    }

    KubernetesClient client() {
        return server.createClient();
    }

    KubernetesClient clientVia(int port) {
        var base = server.createClient();
        String url = base.getConfiguration().getMasterUrl().replaceFirst(":\\d+/?$", ":" + port + "/");
        var cfg = new ConfigBuilder(base.getConfiguration()).withMasterUrl(url).withWatchReconnectInterval(100).build();
        base.close();
        return new KubernetesClientBuilder().withConfig(cfg).build();
    }

    /** Until every agent judges expiry; manual agents see their watch's health as their time moves. */
    void awaitWatching(Agent... agents) {
        await().atMost(10, TimeUnit.SECONDS).pollInterval(Duration.ofMillis(5)).until(() -> {
            if (java.util.Arrays.stream(agents).anyMatch(a -> a.store != null)) step(Duration.ofMillis(1));
            return java.util.Arrays.stream(agents).allMatch(a -> a.engine.watchConnected());
        });
    }

    /** Moves manual time and waits until every live manual agent has acted on it and has no request in flight. */
    void step(Duration d) {
        time.advance(d);
        settle();
    }

    void settle() {
        await().atMost(10, TimeUnit.SECONDS).pollDelay(Duration.ZERO).pollInterval(Duration.ofMillis(1)).until(() -> {
            time.runPending();
            return quiet() && time.pendingCount() == 0;
        });
    }

    /** Runs the manual agents (no time passes) until {@code condition} holds, bounded in real time. */
    void settleUntil(java.util.function.BooleanSupplier condition) {
        await().atMost(10, TimeUnit.SECONDS).pollDelay(Duration.ZERO).pollInterval(Duration.ofMillis(1)).until(() -> {
            time.runPending();
            return condition.getAsBoolean();
        });
    }

    /** A graceful stop of a manual agent (as SIGTERM): releases everything, then stops. */
    void shutdown(Agent a) {
        var released = a.engine.release().toCompletableFuture();
        settleUntil(released::isDone);
        a.engine.abandon();
        a.killed = true;
    }

    /** No request of a live manual agent in flight. */
    boolean quiet() {
        return agents.stream().filter(a -> !a.killed && a.store != null).allMatch(a -> a.store.inFlight() == 0);
    }

    static Map<String, SortedSet<String>> leases(int count, List<Agent> candidates) {
        Map<String, SortedSet<String>> m = new TreeMap<>();
        SortedSet<String> nodes = new TreeSet<>();
        candidates.forEach(a -> nodes.add(a.node));
        for (int i = 0; i < count; i++) m.put(String.format("cilium-l2announce-default-svc-%04d", i), nodes);
        return m;
    }

    /** lease -> agents that claim to hold it right now. */
    Map<String, List<String>> holders() {
        Map<String, List<String>> m = new TreeMap<>();
        for (Agent a : agents) {
            if (a.killed) continue;
            for (String l : a.engine.held()) m.computeIfAbsent(l, k -> new ArrayList<>()).add(a.node);
        }
        return m;
    }

    Lease lease(String name) {
        return admin.leases().inNamespace(NS).withName(name).get();
    }

    static String holder(Lease lease) {
        return lease.getSpec() == null || lease.getSpec().getHolderIdentity() == null ? "" : lease.getSpec().getHolderIdentity();
    }

    static String successor(Lease lease) {
        return LeaseRecords.successor(KubernetesLeaseStore.toRecord(lease).content());
    }

    @Override
    public void close() {
        for (Agent a : agents) {
            try {
                a.engine.abandon();
                a.client.close();
            } catch (RuntimeException ignored) {
                // already killed
            }
        }
        admin.close();
        server.destroy();
    }

    /** Counts the requests of a store that are still unanswered, so a manual test can wait for the HTTP side. */
    static final class TrackingStore implements LeaseStore {
        private final LeaseStore delegate;
        private final AtomicInteger inFlight = new AtomicInteger();

        TrackingStore(LeaseStore delegate) {
            this.delegate = delegate;
        }

        int inFlight() {
            return inFlight.get();
        }

        private CompletionStage<Result> tracked(CompletionStage<Result> request) {
            inFlight.incrementAndGet();
            CompletableFuture<Result> out = new CompletableFuture<>();
            // Complete first: the engine's callback hands the answer to the scheduler before we count it done.
            request.whenComplete((r, e) -> {
                if (e != null) out.completeExceptionally(e); else out.complete(r);
                inFlight.decrementAndGet();
            });
            return out;
        }

        @Override public CompletionStage<Result> get(String name) { return tracked(delegate.get(name)); }
        @Override public CompletionStage<Result> create(String name, LeaseContent content) { return tracked(delegate.create(name, content)); }
        @Override public CompletionStage<Result> update(LeaseRecord base, LeaseContent content) { return tracked(delegate.update(base, content)); }
        @Override public CompletionStage<Result> delete(LeaseRecord base) { return tracked(delegate.delete(base)); }
        @Override public CompletionStage<Result> write(String name, LeaseRecord base, LeaseContent content, Duration timeout) {
            return tracked(delegate.write(name, base, content, timeout));
        }
        @Override public void watch(Observer observer) { delegate.watch(observer); }
        @Override public boolean watchHealthy() { return delegate.watchHealthy(); }
        @Override public List<LeaseRecord> cached() { return delegate.cached(); }
        @Override public void stopWatch() { delegate.stopWatch(); }
        @Override public void close() { delegate.close(); }
    }

    /** Wraps the CRUD dispatcher: counts requests by verb and can make lease writes hang. */
    static final class CountingDispatcher extends Dispatcher {
        final KubernetesCrudDispatcher crud;
        final AtomicBoolean hangLeaseWrites = new AtomicBoolean();
        final Map<String, LongAdder> byVerb = new ConcurrentHashMap<>();
        final LongAdder conflicts = new LongAdder();

        CountingDispatcher(KubernetesCrudDispatcher crud) {
            this.crud = crud;
        }

        @Override
        public MockResponse dispatch(RecordedRequest request) {
            String path = request.getPath();
            String verb = verb(request.getMethod(), path);
            byVerb.computeIfAbsent(verb, k -> new LongAdder()).increment();
            if (hangLeaseWrites.get() && path.contains("/leases") && !"GET".equals(request.getMethod())) {
                return new MockResponse().setResponseCode(504).setBody("{}").setBodyDelay(30, TimeUnit.SECONDS);
            }
            MockResponse response = crud.dispatch(request);
            if (response.code() == 409) conflicts.increment();
            return response;
        }

        static String verb(String method, String path) {
            return switch (method) {
                case "GET" -> path.contains("watch=true") ? "watch" : path.matches(".*/leases/[^/?]+(\\?.*)?$") ? "get" : "list";
                case "POST" -> "create";
                case "PUT" -> "update";
                case "PATCH" -> "patch";
                case "DELETE" -> "delete";
                default -> method.toLowerCase();
            };
        }

        long count(String verb) {
            LongAdder a = byVerb.get(verb);
            return a == null ? 0 : a.sum();
        }

        Map<String, Long> snapshot() {
            Map<String, Long> m = new TreeMap<>();
            byVerb.forEach((k, v) -> m.put(k, v.sum()));
            return m;
        }

        @Override
        public void shutdown() {
            crud.shutdown();
        }
    }

    static Set<String> heldBy(Agent a) {
        return a.engine.held();
    }
}
