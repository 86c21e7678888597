package dev.l2announcer.demo;

import static org.awaitility.Awaitility.await;

import dev.l2announcer.datapath.MacAddress;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.BitSet;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.locks.LockSupport;
import java.util.stream.Collectors;

/**
 * What the e2e fault tests ask of a cluster of agents with many Services: who holds which Lease (from the API), who
 * answers which IP (the nodes' responder maps, and the client's ARP capture), and the waits between trials. IPs are
 * the ids of the client's sampled universe; {@code ipOfLease} maps each Service Lease the test created to its IP's id.
 * The samplers and the cluster belong to the test; {@link #close} ends them in order.
 */
final class HolderChecks {
    private final AgentCluster cluster;
    private final ResponderMapSampler maps;
    private final Map<String, Integer> ipOfLease;

    HolderChecks(AgentCluster cluster, ResponderMapSampler maps, Map<String, Integer> ipOfLease) {
        this.cluster = cluster;
        this.maps = maps;
        this.ipOfLease = Map.copyOf(ipOfLease);
    }

    /** Lease name -> holder, every Lease in the lease namespace. */
    Map<String, String> holders() {
        return cluster.api().leases(AgentCluster.LEASE_NAMESPACE);
    }

    /** IP ids of the test's Services whose Lease {@code node} holds. */
    List<Integer> ipsOf(String node) {
        return holders().entrySet().stream().filter(e -> e.getValue().equals(node) && ipOfLease.containsKey(e.getKey()))
                .map(e -> ipOfLease.get(e.getKey())).sorted().toList();
    }

    /** The node holding the most of the test's Leases (at least a third of them with three nodes, by pigeonhole). */
    String mostLoaded() {
        Map<String, Long> count = holders().entrySet().stream().filter(e -> ipOfLease.containsKey(e.getKey()))
                .collect(Collectors.groupingBy(Map.Entry::getValue, Collectors.counting()));
        return cluster.nodeNames().stream().max(Comparator.comparingLong(n -> count.getOrDefault(n, 0L))).orElseThrow();
    }

    /** Every IP of the test's Services answered by exactly one datapath, its Lease holder's, and every agent alive. */
    void awaitSteady(Duration within) {
        await("every IP answered by exactly its Lease holder").atMost(within).pollInterval(Duration.ofMillis(500))
                .failFast(() -> cluster.nodeNames().stream().anyMatch(n -> !cluster.agent(n).isAlive()))
                .until(() -> {
                    Map<String, String> h = holders();
                    ResponderMapSampler.Sample s = maps.sample();
                    for (var e : ipOfLease.entrySet()) {
                        int holder = cluster.nodeNames().indexOf(h.getOrDefault(e.getKey(), "-"));
                        for (int k = 0; k < s.nodes().size(); k++) {
                            if (s.nodes().get(k).answering().get(e.getValue()) != (k == holder)) {
                                return false;
                            }
                        }
                    }
                    return true;
                });
    }

    /** Until every IP in {@code ids} is answered by some datapath other than {@code not}'s. */
    void awaitAnsweredByOthers(List<Integer> ids, String not, Duration within) {
        int skip = cluster.nodeNames().indexOf(not);
        await("the IPs of " + not + " answered by another node").atMost(within).pollInterval(Duration.ofMillis(100))
                .until(() -> {
                    ResponderMapSampler.Sample s = maps.sample();
                    BitSet others = new BitSet();
                    for (int k = 0; k < s.nodes().size(); k++) {
                        if (k != skip) {
                            others.or(s.nodes().get(k).answering());
                        }
                    }
                    return ids.stream().allMatch(others::get);
                });
    }

    /** Map samples in [from, to) with two nodes answering one IP. */
    long overlapSamples(long from, long to) {
        return maps.samples(from, to).stream().filter(s -> !ResponderMapSampler.overlap(s).isEmpty()).count();
    }

    /** How long after {@code t0} {@code mac} last answered a probe of any of {@code ids} sent in [t0, to). */
    static Duration lastAnswerAfter(ArpSamples s, List<Integer> ids, MacAddress mac, long t0, long to) {
        long worst = 0;
        for (int id : ids) {
            long last = s.lastAnsweredProbe(id, t0, to, Set.of(mac));
            if (last > 0) {
                worst = Math.max(worst, last - t0);
            }
        }
        return Duration.ofNanos(worst);
    }

    /**
     * What {@code node} did in [from, to) for IPs whose Lease it does not hold (now): IPs it answered, IPs it sent
     * gratuitous ARPs for, and its map samples answering any of them. All empty / zero after a fault that ended.
     */
    record Unheld(List<Integer> answered, List<Integer> gratuitous, long mapSamples) {
    }

    Unheld unheld(ArpSamples s, String node, long from, long to) {
        Set<Integer> held = new HashSet<>(ipsOf(node));
        MacAddress mac = cluster.net().node(node).mac();
        int k = cluster.nodeNames().indexOf(node);
        return new Unheld(s.answeredBy(mac, from, to).stream().filter(id -> !held.contains(id)).toList(),
                s.gratuitousFrom(mac, from, to).stream().filter(id -> !held.contains(id)).toList(),
                maps.samples(from, to).stream().map(x -> x.nodes().get(k).answering())
                        .filter(b -> b.stream().anyMatch(id -> !held.contains(id))).count());
    }

    /** Until the agent on {@code node} answers its readiness probe; fails at once if it exited. */
    static void awaitReady(AgentCluster cluster, String node) {
        await("agent on " + node + " ready").atMost(Duration.ofSeconds(180)).pollInterval(Duration.ofMillis(250))
                .failFast("agent on " + node + " exited; see " + cluster.net().logDir().resolve("agent-" + node + ".log"),
                        () -> !cluster.agent(node).isAlive())
                .until(() -> cluster.ready(node));
    }

    /** Prints {@code text} and writes it to {@code file} with what the harness did (its timed events). */
    static void report(Path file, String text, AgentCluster cluster) throws IOException {
        System.out.println("\n" + text);
        Files.createDirectories(file.getParent());
        Files.writeString(file, text + "\nWhat the harness did (UTC):\n\n"
                + cluster.events().stream().map(e -> "    " + e).collect(Collectors.joining("\n")) + "\n");
    }

    /** Closes each that exists, in order (samplers before the cluster whose namespaces they use). */
    static void close(AutoCloseable... all) throws IOException {
        for (AutoCloseable c : all) {
            if (c == null) {
                continue;
            }
            try {
                c.close();
            } catch (IOException | RuntimeException e) {
                throw e;
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }
    }

    // ------------------------------------------------------------------ wall-clock time (kernel timestamps are too)

    static long now() {
        return ns(Instant.now());
    }

    static long ns(Instant i) {
        return i.getEpochSecond() * 1_000_000_000L + i.getNano();
    }

    static Duration nanos(long n) {
        return Duration.ofNanos(n);
    }

    static void settle(Duration d) {
        LockSupport.parkNanos(d.toNanos());
    }

    static void sleepUntil(long epochNanos) {
        long left = epochNanos - now();
        if (left > 0) {
            LockSupport.parkNanos(left);
        }
    }
}
