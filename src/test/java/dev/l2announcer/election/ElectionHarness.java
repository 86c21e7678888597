package dev.l2announcer.election;

import static org.awaitility.Awaitility.await;

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
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Function;

/** A fabric8 CRUD mock server and several in-process agents, each with its own client and node name. */
final class ElectionHarness implements AutoCloseable {
    static final String NS = "kube-system";

    final CountingDispatcher dispatcher = new CountingDispatcher(new KubernetesCrudDispatcher(List.of()));
    final KubernetesMockServer server = new KubernetesMockServer(new Context(), new MockWebServer(), new HashMap<>(), dispatcher, true);
    final KubernetesClient admin;
    final List<Agent> agents = new CopyOnWriteArrayList<>();

    ElectionHarness() {
        server.init();
        admin = server.createClient();
    }

    record Event(LeadershipEvent event, long tickerNanos) {}

    static final class Agent {
        final String node;
        final KubernetesClient client;
        final LeaseElectionEngine engine;
        final io.micrometer.core.instrument.MeterRegistry registry;
        final List<Event> events = new CopyOnWriteArrayList<>();

        Agent(String node, KubernetesClient client, LeaseElectionEngine engine, io.micrometer.core.instrument.MeterRegistry registry) {
            this.node = node;
            this.client = client;
            this.engine = engine;
            this.registry = registry;
        }

        volatile boolean killed;

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

    Agent start(String node, LeaseElectionEngine.Timings timings, Ticker ticker, Clock clock) {
        return start(node, client(), timings, ticker, clock, l -> Map.of());
    }

    Agent start(String node, KubernetesClient client, LeaseElectionEngine.Timings timings, Ticker ticker, Clock clock,
            Function<String, Map<String, String>> annotations) {
        return start(node, client, timings, ticker, clock, annotations, LeaseElectionEngine.Options.defaults(timings), new SimpleMeterRegistry());
    }

    Agent start(String node, KubernetesClient client, LeaseElectionEngine.Timings timings, Ticker ticker, Clock clock,
            Function<String, Map<String, String>> annotations, LeaseElectionEngine.Options options,
            io.micrometer.core.instrument.MeterRegistry registry) {
        LeaseElectionEngine engine = LeaseElectionEngine.start(client, NS, node, timings, ticker, clock, registry, annotations, options);
        Agent agent = new Agent(node, client, engine, registry);
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

    void awaitWatching(Agent... agents) {
        await().atMost(10, TimeUnit.SECONDS).pollInterval(Duration.ofMillis(5))
                .until(() -> java.util.Arrays.stream(agents).allMatch(a -> a.engine.watchConnected()));
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
