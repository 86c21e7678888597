package dev.l2announcer.fakes;

import dev.l2announcer.election.LeaderElection;
import dev.l2announcer.election.LeadershipEvent;

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
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

/**
 * Test election shared by several in-process agents: a lease goes to the first campaigning node;
 * when its holder stops campaigning (or is told to lose it) it passes to the smallest-named node
 * still campaigning. Events are delivered synchronously to the nodes' listeners.
 */
public final class InMemoryLeases {
    private final Clock clock;
    private final Map<String, String> holders = new TreeMap<>();
    private final Map<String, Map<String, SortedSet<String>>> campaigns = new HashMap<>();
    private final Map<String, Node> nodes = new HashMap<>();

    public InMemoryLeases(Clock clock) {
        this.clock = clock;
    }

    public synchronized LeaderElection node(String name) {
        return nodes.computeIfAbsent(name, Node::new);
    }

    public synchronized Map<String, String> holders() {
        return Map.copyOf(holders);
    }

    /** The holder loses the lease without releasing it (as after a partition); another node takes it. */
    public void revoke(String lease) {
        List<Runnable> deliveries = new ArrayList<>();
        synchronized (this) {
            String h = holders.remove(lease);
            if (h != null) {
                deliveries.add(nodes.get(h).emit(new LeadershipEvent.Lost(lease, "revoked by test", clock.instant())));
            }
            assign(deliveries, h);
        }
        deliveries.forEach(Runnable::run);
    }

    private void assign(List<Runnable> deliveries) {
        assign(deliveries, null);
    }

    /** @param skip a node that must not get a free lease now (the partitioned ex-holder) */
    private void assign(List<Runnable> deliveries, String skip) {
        Set<String> all = new TreeSet<>();
        campaigns.values().forEach(m -> all.addAll(m.keySet()));
        for (String lease : all) {
            if (holders.containsKey(lease)) {
                continue;
            }
            campaigns.entrySet().stream()
                    .filter(e -> e.getValue().containsKey(lease) && !e.getKey().equals(skip))
                    .map(Map.Entry::getKey)
                    .sorted()
                    .findFirst()
                    .ifPresent(n -> {
                        holders.put(lease, n);
                        deliveries.add(nodes.get(n).emit(new LeadershipEvent.Acquired(lease, clock.instant())));
                    });
        }
    }

    private final class Node implements LeaderElection {
        private final String name;
        private final List<Consumer<LeadershipEvent>> listeners = new CopyOnWriteArrayList<>();

        Node(String name) {
            this.name = name;
        }

        Runnable emit(LeadershipEvent e) {
            return () -> listeners.forEach(l -> l.accept(e));
        }

        @Override
        public void campaign(Map<String, SortedSet<String>> candidatesByLease) {
            List<Runnable> deliveries = new ArrayList<>();
            synchronized (InMemoryLeases.this) {
                campaigns.put(name, new TreeMap<>(candidatesByLease));
                for (var it = holders.entrySet().iterator(); it.hasNext(); ) {
                    var h = it.next();
                    if (h.getValue().equals(name) && !candidatesByLease.containsKey(h.getKey())) {
                        it.remove();
                        deliveries.add(emit(new LeadershipEvent.Released(h.getKey(), clock.instant())));
                    }
                }
                assign(deliveries);
            }
            deliveries.forEach(Runnable::run);
        }

        @Override
        public AutoCloseable subscribe(Consumer<LeadershipEvent> listener) {
            listeners.add(listener);
            return () -> listeners.remove(listener);
        }

        @Override
        public Set<String> held() {
            synchronized (InMemoryLeases.this) {
                Set<String> out = new TreeSet<>();
                holders.forEach((l, n) -> {
                    if (n.equals(name)) {
                        out.add(l);
                    }
                });
                return out;
            }
        }

        /** A held lease stays valid until this fake takes it away (it has no renew deadlines). */
        @Override
        public boolean mayAnnounce(String lease, long nowNanos) {
            synchronized (InMemoryLeases.this) {
                return name.equals(holders.get(lease));
            }
        }

        @Override
        public List<LeaseView> leases() {
            synchronized (InMemoryLeases.this) {
                List<LeaseView> out = new ArrayList<>();
                campaigns.getOrDefault(name, Map.of()).forEach((lease, cands) -> {
                    String h = holders.getOrDefault(lease, "");
                    out.add(new LeaseView(lease, h, h.equals(name), cands.size(), Duration.ZERO));
                });
                return out;
            }
        }

        @Override
        public void shutdown(Duration timeout) {
            campaign(Map.of());
            synchronized (InMemoryLeases.this) {
                campaigns.remove(name);
            }
        }
    }
}
