package dev.l2announcer.demo;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.l2announcer.config.LeaseTimings;
import dev.l2announcer.datapath.MacAddress;
import org.assertj.core.api.SoftAssertions;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;

import java.io.IOException;
import java.net.Inet4Address;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

import static dev.l2announcer.demo.HolderChecks.nanos;
import static dev.l2announcer.demo.HolderChecks.now;
import static dev.l2announcer.demo.HolderChecks.ns;
import static dev.l2announcer.demo.HolderChecks.settle;
import static dev.l2announcer.demo.HolderChecks.sleepUntil;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Issue 13, the fault suite: three packaged agents, 500 Services (one IP and one Lease each, from 198.51.100.0/24
 * and 203.0.113.0/24), real XDP in node namespaces. A client ARPs a rotating sample of the IPs every 20 ms and
 * records every answer with kernel timestamps ({@link ArpSampler}); every node's pinned responder map and
 * liveness stamp are sampled every 100 ms ({@link ResponderMapSampler}). Each fault is repeated; each trial
 * asserts its bounds, the whole run asserts that no probe was ever answered by two MACs and that no two
 * datapaths ever answered one IP at one sample. The table is printed and written to
 * target/e2e-faults-summary.md.
 *
 * <p>Lease timings: 500 Leases renewed every retryPeriod are 500 / retryPeriod writes per second, each fanned
 * out to three watches, on the single-threaded fabric8 mock API; on this 2-core machine 3s/1s/200ms (2,500
 * writes/s) and 4s/2s/1s (500/s) lose leases to API latency alone. The suite therefore runs 6s/4s/2s (250
 * writes/s, Cilium's default retry period); every bound below is written in those terms, so other timings can
 * be tried with -De2e.faults.lease/renew/retry (ISO-8601 durations).
 *
 * <p>What is asserted always: no probe answered by two MACs, no map sample with two nodes answering one IP, every
 * IP answered at the end of its trial, and the stand-down bounds (a killed, frozen, cut-off or hijacked holder
 * is silent by max age or renew deadline + max age; nobody answers a hijacked IP before the hijacker's Lease
 * expires). The unanswered-time and recovery bounds are the lease model's for an API server that answers
 * renewals within renewDeadline: a trial in which healthy nodes lost Leases the fault does not explain (the
 * single-threaded mock API fell behind, on a machine shared with other builds) is reported in the table and
 * not judged, and each fault needs at least one judged trial.
 */
@Tag("e2e")
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class AgentFaultsE2eTest {
    static final Path JAR = Path.of("target", "quarkus-app", "quarkus-run.jar");
    static final String NS = AgentCluster.LEASE_NAMESPACE;
    static final int BULK = 500;
    static final int TRIALS = Integer.getInteger("e2e.faults.trials", 2);
    static final AgentCluster.Timings T = new AgentCluster.Timings(
            Duration.parse(System.getProperty("e2e.faults.lease", "PT6S")),
            Duration.parse(System.getProperty("e2e.faults.renew", "PT4S")),
            Duration.parse(System.getProperty("e2e.faults.retry", "PT2S")));
    static final Duration L = T.leaseDuration(), R = T.renewDeadline(), P = T.retryPeriod();
    static final LeaseTimings TIMINGS = new LeaseTimings(L, R, P);
    /** The XDP program answers until the liveness stamp is older than this. */
    static final Duration MAX_AGE = TIMINGS.livenessMaxAge();
    /** Scheduling on two shared cores, convergence and one probe spacing (focus IPs: <= 250 ms). */
    static final Duration SLACK = Duration.ofSeconds(1);
    /** A crashed, frozen or cut-off holder's IPs are answered again within: lease + retry + slack. */
    static final Duration TAKEOVER = L.plus(P).plus(SLACK);
    /** Probe send jitter against the stamp's age (the program checks the age when the request arrives). */
    static final Duration STAMP_SLACK = Duration.ofMillis(150);
    static final Duration TICK = Duration.ofMillis(20);
    static final int FOCUS_PER_TICK = 20, ALL_PER_TICK = 10;
    /** Renewals need held / retryPeriod requests/s; the starvation phase runs at 1.15 times that for an even share. */
    static final int LOW_QPS = (int) Math.ceil(BULK / 3.0 / (P.toNanos() / 1e9) * 1.15);
    static final String HIGH_QPS = "2000";
    static final ObjectMapper JSON = new ObjectMapper();

    private AgentCluster cluster;
    private ArpSampler client;
    private ResponderMapSampler maps;
    private HolderChecks view;
    private final FaultTable table = new FaultTable();
    private final TimingSummary details = new TimingSummary();
    private final List<Bulk> bulk = new ArrayList<>();
    private final Map<String, Integer> ipOfLease = new HashMap<>();
    private final Map<Inet4Address, Integer> ipIds = new HashMap<>();
    private List<Inet4Address> sharedIps;
    private List<Inet4Address> overflowIps;
    private long runFrom;
    private Instant startedAt;

    /** A bulk Service: one IP, one Lease. */
    record Bulk(String name, Inet4Address ip, String lease) {
    }

    // ------------------------------------------------------------------ set-up

    @BeforeAll
    void up() {
        assumeTrue(HostCommand.isRoot(), "e2e needs root (network/mount namespaces, BPF); skipped");
        startedAt = Instant.now();
        // The API serves 250 writes/s for minutes: the full JIT pays for itself here (the short e2e runs C1 only).
        cluster = AgentCluster.create(3, JAR, T, Path.of("target", "e2e-logs", "faults"), NetnsCluster.API_JVM_OPTIONS);
        for (String n : cluster.nodeNames()) {
            // The renew-starvation phase comes first, at a budget just above what an even share of the
            // renewals needs; the agents are restarted with a roomy budget after it.
            cluster.configure(n, "k8s-client-qps", Integer.toString(LOW_QPS));
            cluster.configure(n, "k8s-client-burst", "20");
            cluster.configure(n, "devices", "eth0 ovf+");
        }
        cluster.api().policy(Resources.POLICY);
        cluster.nodeNames().forEach(cluster::startAgent);
        cluster.nodeNames().forEach(n -> HolderChecks.awaitReady(cluster, n));

        List<Inet4Address> universe = new ArrayList<>();
        for (int i = 0; i < BULK; i++) {
            Inet4Address ip = NetnsCluster.ipv4(i < BULK / 2 ? "198.51.100." + (i + 1) : "203.0.113." + (i - BULK / 2 + 1));
            String name = String.format("bulk-%03d", i);
            bulk.add(new Bulk(name, ip, lease(name)));
            universe.add(ip);
        }
        sharedIps = IntStream.rangeClosed(251, 254).mapToObj(i -> NetnsCluster.ipv4("198.51.100." + i)).toList();
        universe.addAll(sharedIps);
        // 200 addresses for the overflow Service, from 192.0.2.0/24 outside the LAN's members (.11-.13, .200, .201, .250).
        List<Inet4Address> ovf = new ArrayList<>();
        IntStream.rangeClosed(20, 199).forEach(i -> ovf.add(NetnsCluster.ipv4("192.0.2." + i)));
        IntStream.rangeClosed(202, 221).forEach(i -> ovf.add(NetnsCluster.ipv4("192.0.2." + i)));
        overflowIps = List.copyOf(ovf);
        universe.addAll(overflowIps);
        for (int i = 0; i < universe.size(); i++) {
            ipIds.put(universe.get(i), i);
        }
        for (Bulk b : bulk) {
            ipOfLease.put(b.lease(), ipIds.get(b.ip()));
        }

        client = new ArpSampler(cluster.net().client().netns(), "eth0", NetnsCluster.ipv4(NetnsCluster.PROBER_IP), universe,
                cluster.net().nodes().stream().map(NetnsCluster.Member::mac).toList());
        client.start(TICK, FOCUS_PER_TICK, ALL_PER_TICK, Duration.ofHours(1).dividedBy(TICK));
        maps = new ResponderMapSampler(cluster.nodeNames().stream()
                .map(n -> new ResponderMapSampler.Node(n, cluster.pinDir(n), cluster.lanIfindex(n))).toList(),
                universe, Duration.ofMillis(100), Duration.ofHours(1).dividedBy(Duration.ofMillis(100)));
        view = new HolderChecks(cluster, maps, ipOfLease);
        runFrom = now();
        Instant created = Instant.now();
        for (Bulk b : bulk) {
            // Half LoadBalancer IPs written to status as an IPAM would, half externalIPs.
            if (b.ip().getHostAddress().startsWith("198.")) {
                cluster.api().service(Resources.service(b.name(), b.ip().getHostAddress()));
                cluster.api().serviceLoadBalancerIp("default", b.name(), b.ip().getHostAddress());
            } else {
                cluster.api().service(externalIpService(b.name(), List.of(b.ip().getHostAddress()), "color", "blue"));
            }
        }
        view.awaitSteady(Duration.ofSeconds(180));
        details.add("500 Services created -> every IP answered by its Lease holder", Duration.between(created, Instant.now()),
                "informational");
    }

    @AfterAll
    void down() throws IOException {
        try {
            if (client != null && !table.isEmpty()) {
                HolderChecks.report(Path.of("target", "e2e-faults-summary.md"), summary(), cluster);
            }
        } finally {
            HolderChecks.close(maps, client, cluster);
        }
    }

    private String summary() {
        long to = now();
        ArpSamples s = client.samples();
        double load;
        try {
            load = Double.parseDouble(Files.readString(Path.of("/proc/loadavg")).split(" ")[0]);
        } catch (IOException | RuntimeException e) {
            load = Double.NaN;
        }
        return "l2-announcer fault suite (" + Instant.now().atZone(ZoneOffset.UTC).toLocalDate() + ", "
                + Runtime.getRuntime().availableProcessors() + " cores, load average " + load + " at the end; "
                + Duration.between(startedAt, Instant.now()).toSeconds() + " s): 3 agents, " + BULK + " Services, lease "
                + AgentCluster.seconds(L) + " / renew " + AgentCluster.seconds(R) + " / retry " + AgentCluster.seconds(P)
                + ", liveness max age " + AgentCluster.seconds(MAX_AGE) + "; the client sent " + s.probes(runFrom, to)
                + " probes (a tick every " + TICK.toMillis() + " ms: " + FOCUS_PER_TICK + " IPs of the fault, "
                + ALL_PER_TICK + " of the rotation over all), " + s.duals(runFrom, to).size()
                + " answered by two MACs; " + maps.samples().size() + " samples of the three responder maps, "
                + view.overlapSamples(runFrom, to) + " with two nodes answering one IP.\n\n" + table.markdown()
                + "\nDetails (per IP or per trial):\n\n" + details.table();
    }

    static String lease(String service) {
        return "cilium-l2announce-default-" + service;
    }

    static String externalIpService(String name, List<String> ips, String labelKey, String labelValue) {
        return """
                apiVersion: v1
                kind: Service
                metadata:
                  name: %s
                  namespace: default
                  labels:
                    %s: %s
                spec:
                  type: ClusterIP
                  externalIPs:
                %s
                  selector:
                    app: %s
                  ports:
                    - name: http
                      protocol: TCP
                      port: 80
                      targetPort: 8080
                """.formatted(name, labelKey, labelValue,
                ips.stream().map(ip -> "    - " + ip).collect(Collectors.joining("\n")), name);
    }

    // ------------------------------------------------------------------ helpers

    private MacAddress macOf(String node) {
        return cluster.net().node(node).mac();
    }

    private int nodeIndex(String node) {
        return cluster.nodeNames().indexOf(node);
    }

    private static Map<String, String> withoutStorm(Map<String, String> leases) {
        Map<String, String> out = new TreeMap<>(leases);
        out.keySet().removeIf(name -> name.startsWith("cilium-l2announce-default-storm-"));
        return out;
    }

    private List<Inet4Address> addresses(List<Integer> ids) {
        return ids.stream().map(i -> client.ips().get(i)).toList();
    }

    /** What one trial measured for its IPs; {@code judged} false: the API was overloaded, bounds not applied. */
    record Outcome(List<Duration> unanswered, long duals, Duration recovery, String worst, boolean judged) {
    }

    /** An IP dark again after it was answered again is reported from this length on (a lost probe is ~2 spacings). */
    static final Duration DARK_AGAIN = Duration.ofMillis(200);

    private Outcome outcome(SoftAssertions soft, String fault, ArpSamples s, List<Integer> ids, long from, long to,
                            long recoveryFrom, Duration bound) {
        return outcome(soft, fault, s, ids, from, to, recoveryFrom, bound, null, 0);
    }

    /**
     * Per IP of {@code ids}: the longest outage with a probe in [from, to); the trial's probes answered by two MACs;
     * its recovery (from {@code recoveryFrom} to the end of the last IP's first real outage). Always checks that
     * every IP is answered at the end and that neither the client nor the datapath samples saw two answerers.
     *
     * <p>The time bounds (null: none) are the lease model's for an API that answers renewals within renewDeadline.
     * {@code unexplainedLosses} counts the Leases that healthy nodes lost during the trial beyond what the fault
     * explains: renewals answered too late, which the model answers with more stand-downs (on this shared 2-core
     * machine the single-threaded API server falls behind under load). Such a trial is reported, not judged; each
     * fault test requires a judged trial. An IP that goes dark again after recovering is noted with who answered
     * around the gap.
     */
    private Outcome outcome(SoftAssertions soft, String fault, ArpSamples s, List<Integer> ids, long from, long to,
                            long recoveryFrom, Duration bound, Duration recoveryBound, long unexplainedLosses) {
        List<Duration> unanswered = new ArrayList<>();
        long lastBack = recoveryFrom;
        ArpSamples.Outage worst = null;
        ArpSamples.Outage worstAgain = null;
        int darkAgain = 0;
        int lostProbes = 0;
        ArpSamples.Outage worstLost = null;
        for (int id : ids) {
            // Not an outage: an unrecovered run that began in the window's last second (the answers to the last
            // probes may not be captured yet; an IP is probed every 500 ms when all 500 are in focus).
            List<ArpSamples.Outage> all = s.outages(id, from, to).stream()
                    .filter(x -> x.recovered() || x.from() < to - 1_000_000_000L).toList();
            // One unanswered probe between two answered ones cannot be told from a frame lost on the way (the
            // client's capture under load, generic-mode XDP on veth): counted and reported, not an outage.
            // Two or more in a row are.
            List<ArpSamples.Outage> lost = all.stream().filter(AgentFaultsE2eTest::singleLostProbe).toList();
            lostProbes += lost.size();
            for (ArpSamples.Outage x : lost) {
                if (worstLost == null || x.nanos() > worstLost.nanos()) {
                    worstLost = x;
                }
            }
            all = all.stream().filter(x -> !singleLostProbe(x)).toList();
            Optional<ArpSamples.Outage> o = all.stream().max(Comparator.comparingLong(ArpSamples.Outage::nanos));
            unanswered.add(o.map(x -> nanos(x.nanos())).orElse(Duration.ZERO));
            // Real outages only: a lost probe is not one.
            List<ArpSamples.Outage> real = all.stream().filter(x -> x.nanos() >= DARK_AGAIN.toNanos()).toList();
            if (real.isEmpty()) {
                continue;
            }
            soft.assertThat(real.getLast().recovered()).as(fault + ": " + real.getLast().ip() + " answered again ("
                    + describe(s, real.getLast(), from) + ")").isTrue();
            if (worst == null || o.get().nanos() > worst.nanos()) {
                worst = o.get();
            }
            // The fault's outage is the first real one; real ones after it are dark-again.
            if (real.getFirst().recovered()) {
                lastBack = Math.max(lastBack, real.getFirst().to());
            }
            List<ArpSamples.Outage> later = real.subList(1, real.size());
            if (!later.isEmpty()) {
                darkAgain++;
                for (ArpSamples.Outage x : later) {
                    if (worstAgain == null || x.nanos() > worstAgain.nanos()) {
                        worstAgain = x;
                    }
                }
            }
        }
        List<ArpSamples.Dual> duals = s.duals(from - 1_000_000_000L, to);
        soft.assertThat(duals).as(fault + ": probes answered by two MACs\n" + explain(duals)).isEmpty();
        soft.assertThat(view.overlapSamples(from - 1_000_000_000L, to)).as(fault + ": map samples with two nodes answering one IP")
                .isZero();
        String worstText = worst == null ? "none" : describe(s, worst, from);
        Duration recovery = nanos(lastBack - recoveryFrom);
        boolean judged = unexplainedLosses == 0;
        if (judged) {
            if (bound != null) {
                Duration max = unanswered.stream().max(Duration::compareTo).orElse(Duration.ZERO);
                soft.assertThat(max).as(fault + ": longest unanswered time per IP (worst " + worstText + ")\n" + harness())
                        .isLessThanOrEqualTo(bound);
            }
            if (recoveryBound != null) {
                soft.assertThat(recovery).as(fault + ": recovery").isLessThanOrEqualTo(recoveryBound);
            }
        } else {
            table.note(fault, "a trial not judged: healthy nodes lost " + unexplainedLosses + " Leases (renewals answered "
                    + "after renewDeadline by the overloaded API server; worst IP " + worstText + ")");
        }
        if (lostProbes > 0) {
            table.note(fault, lostProbes + " single probes unanswered between answered ones, not counted as outages (worst "
                    + describe(s, worstLost, from) + ")");
        }
        if (darkAgain > 0) {
            table.note(fault, darkAgain + " IPs dark again after recovering (worst " + describe(s, worstAgain, from) + ")");
        }
        return new Outcome(unanswered, duals.size(), recovery, worstText, judged);
    }

    static boolean singleLostProbe(ArpSamples.Outage o) {
        return o.recovered() && o.unansweredProbes() == 1;
    }

    /** Leases each of {@code nodes} lost so far (its agent's counter). */
    private Map<String, Double> lostSoFar(List<String> nodes) {
        Map<String, Double> out = new HashMap<>();
        nodes.forEach(n -> out.put(n, metric(metrics(n), LOST)));
        return out;
    }

    /** Leases the nodes of {@code before} lost since, beyond {@code explained} of them. */
    private long lostSince(Map<String, Double> before, long explained) {
        double sum = 0;
        for (var e : before.entrySet()) {
            sum += metric(metrics(e.getKey()), LOST) - e.getValue();
        }
        return Math.max(0, Math.round(sum) - explained);
    }

    private List<String> others(String node) {
        return cluster.nodeNames().stream().filter(n -> !n.equals(node)).toList();
    }

    static final String LOST = "l2announcer_lease_transitions_total{outcome=\"lost\"}";

    static final int EXTRA_TRIALS = Integer.getInteger("e2e.faults.extraTrials", 2);

    /**
     * {@link #TRIALS} trials, and up to {@link #EXTRA_TRIALS} more while none could be judged: on this shared 2-core
     * machine the single mock API server sometimes answers healthy nodes' renewals late for a whole trial (seen for
     * kill -9 in CI). Every trial is still checked for safety and reported; only judged ones are held to the bounds.
     */
    static boolean moreTrials(int t, List<Outcome> trials) {
        return t < TRIALS || (t < TRIALS + EXTRA_TRIALS && trials.stream().noneMatch(Outcome::judged));
    }

    /** Fails the fault's test when none of its trials could be judged (an API overloaded throughout). */
    private static void requireJudged(SoftAssertions soft, String fault, List<Outcome> trials) {
        soft.assertThat(trials.stream().filter(Outcome::judged).count())
                .as(fault + ": trials judged (healthy nodes renewed every Lease in time)").isPositive();
    }

    /** "IP length (probes) at +offset, A -> B": who answered just before and just after an outage. */
    private String describe(ArpSamples s, ArpSamples.Outage o, long from) {
        int id = s.ipId(o.ip());
        String before = s.answerers(id, o.from() - 100_000_000L, o.from() + 1).stream().map(cluster::nameOf).sorted()
                .collect(Collectors.joining("+"));
        String after = o.recovered() ? s.answerers(id, o.to() - 20_000_000L, o.to() + 1).stream().map(cluster::nameOf)
                .sorted().collect(Collectors.joining("+")) : "nobody";
        return o.ip().getHostAddress() + " " + FaultTable.ms(nanos(o.nanos())) + " (" + o.unansweredProbes() + " probes) at +"
                + FaultTable.ms(nanos(o.from() - from)) + ", " + (before.isEmpty() ? "-" : before) + " -> " + after;
    }

    private String explain(List<ArpSamples.Dual> duals) {
        return duals.stream().limit(20).map(d -> "  " + d.ip().getHostAddress() + " probe at "
                        + Instant.ofEpochSecond(0, d.probeAt()) + " answered by "
                        + d.macs().stream().map(cluster::nameOf).toList())
                .collect(Collectors.joining("\n")) + "\n" + harness();
    }

    private String harness() {
        List<String> e = cluster.events();
        return e.subList(Math.max(0, e.size() - 12), e.size()).stream().map(x -> "  harness " + x)
                .collect(Collectors.joining("\n"));
    }

    /** Each IP's last answer by {@code mac} (probe sent at or after {@code t0}) came no later than {@code within}. */
    private Duration assertSilentBy(SoftAssertions soft, String fault, ArpSamples s, List<Integer> ids, MacAddress mac,
                                    long t0, long to, Duration within) {
        Duration last = HolderChecks.lastAnswerAfter(s, ids, mac, t0, to);
        soft.assertThat(last).as(fault + ": " + cluster.nameOf(mac) + " still answered after the fault")
                .isLessThanOrEqualTo(within.plus(STAMP_SLACK));
        return last;
    }

    /** The IPs {@code node} answered in [from, to) that the Lease holders at the end do not give it. */
    private List<Inet4Address> answeredWithoutLease(ArpSamples s, String node, long from, long to) {
        return addresses(view.unheld(s, node, from, to).answered());
    }

    private Map<String, Double> metrics(String node) {
        Map<String, Double> out = new TreeMap<>();
        for (String line : cluster.http(node, "/q/metrics").split("\n")) {
            if (line.startsWith("l2announcer_lease") || line.startsWith("l2announcer_leases_held")) {
                int sp = line.lastIndexOf(' ');
                out.put(line.substring(0, sp), Double.parseDouble(line.substring(sp + 1)));
            }
        }
        return out;
    }

    private static double metric(Map<String, Double> m, String name) {
        return m.getOrDefault(name, Double.NaN);
    }

    private JsonNode debug(String node, String view) {
        try {
            // The doctor asks the API through the agent's rate-limited client: after a storm it waits behind the debt.
            return JSON.readTree(cluster.http(node, "/debug/" + view, Duration.ofSeconds(60)));
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private void restartAgent(String node) {
        assertThat(cluster.awaitExit(node, Duration.ofSeconds(20))).as(node + " exited").isTrue();
        cluster.startAgent(node);
        HolderChecks.awaitReady(cluster, node);
    }

    // ------------------------------------------------------------------ faults

    /**
     * Renew starvation: the agents run at a k8s-client-qps just above what their renewals need (held / retryPeriod,
     * ratio about 0.87) while a storm of IPv6-only Services (each makes every candidate agent write an
     * L2AnnounceFailed Event: a GET and a POST, rate-limited by the same bucket) is created and deleted. Renewals go
     * first: no Lease may change hands, no renewal may fail, no IP may go unanswered; the doctor warns about the
     * budget and the budget metric shows the ratio.
     */
    @Test
    @Order(1)
    void renewStarvationAtALowClientQps() {
        SoftAssertions soft = new SoftAssertions();
        String fault = "renew starvation (k8s-client-qps " + LOW_QPS + ", event storm)";
        List<Integer> all = bulk.stream().map(b -> ipIds.get(b.ip())).toList();
        for (int t = 0; t < TRIALS; t++) {
            view.awaitSteady(Duration.ofSeconds(60));
            client.focus(addresses(all));
            Map<String, String> before = withoutStorm(view.holders());
            Map<String, Map<String, Double>> m0 = new HashMap<>();
            cluster.nodeNames().forEach(n -> m0.put(n, metrics(n)));
            long t0 = now();
            cluster.mark("storm of IPv6-only Services (trial " + t + ")");
            // Each storm Service makes every agent GET its Service and POST an Event: 2 x storm requests per agent
            // against the ~13% of the budget the renewals leave (~12 requests/s): the bucket stays empty ~10 s.
            // (More only loads the single-threaded API server until renewals miss their deadline server-side.)
            int storm = 60;
            for (int i = 0; i < storm; i++) {
                cluster.api().service(externalIpService("storm-" + t + "-" + i, List.of("2001:db8::" + t + ":" + Integer.toHexString(i + 1)),
                        "color", "blue"));
            }
            for (int i = 0; i < storm; i++) {
                cluster.api().deleteService("default", "storm-" + t + "-" + i);
            }
            long stormEnd = now();
            settle(R.plus(P));
            long tEnd = now();
            details.add("renew starvation: storm of " + storm + " IPv6-only Services created and deleted (harness)",
                    nanos(stormEnd - t0), "informational");
            ArpSamples s = client.samples();
            Outcome o = outcome(soft, fault, s, all, t0, tEnd, t0, Duration.ZERO);
            // The storm's own Leases are released when their Service goes and deleted behind the starved client's
            // other requests: only the Leases that stood before the storm must keep their holders.
            Map<String, String> after = withoutStorm(view.holders());
            soft.assertThat(after).as(fault + ": no Lease changed hands").isEqualTo(before);
            List<String> notes = new ArrayList<>();
            for (String n : cluster.nodeNames()) {
                Map<String, Double> m1 = metrics(n);
                for (String c : List.of(LOST, "l2announcer_lease_renew_failures_total")) {
                    soft.assertThat(metric(m1, c) - metric(m0.get(n), c)).as(fault + ": " + n + " " + c).isZero();
                }
                double held = metric(m1, "l2announcer_leases_held");
                double expected = held / (P.toNanos() / 1e9) / LOW_QPS;
                double gauge = metric(m1, "l2announcer_lease_renew_budget_ratio");
                notes.add(n + " " + (int) held + " leases, budget ratio " + String.format("%.2f", expected)
                        + ", gauge " + gauge);
                soft.assertThat(gauge).as(fault + ": " + n + " l2announcer_lease_renew_budget_ratio (held "
                        + held + " / retry " + AgentCluster.seconds(P) + " / qps " + LOW_QPS + ")").isCloseTo(expected,
                        org.assertj.core.data.Offset.offset(0.05));
                JsonNode budget = null;
                for (JsonNode c : debug(n, "doctor")) {
                    if (c.path("check").asText().equals("config.renew-budget")) {
                        budget = c;
                    }
                }
                soft.assertThat(budget).as(fault + ": " + n + " dbg doctor config.renew-budget").isNotNull();
                if (budget != null && expected >= 0.8) {
                    soft.assertThat(budget.path("status").asText()).as(fault + ": " + n + " doctor " + budget).isEqualTo("WARN");
                }
            }
            table.trial(fault, o.unanswered(), "0 (no Lease lost)", o.duals(), null, "");
            table.note(fault, "no Lease changed hands, 0 lost, 0 failed renewals");
            if (t == 0) {
                table.note(fault, "renew budget gauge: " + String.join("; ", notes));
            }
        }
        soft.assertAll();
    }

    /**
     * Not a fault: the agents are restarted one by one (SIGTERM, graceful handover of everything they hold) with a
     * budget that fits what a survivor may hold later. Measured like one: the handed-over IPs' unanswered time.
     */
    @Test
    @Order(2)
    void rollingRestartToARoomyBudgetHandsOverGracefully() {
        SoftAssertions soft = new SoftAssertions();
        String fault = "SIGTERM of a holder (rolling restart, graceful handover)";
        List<Outcome> trials = new ArrayList<>();
        for (String node : cluster.nodeNames()) {
            view.awaitSteady(Duration.ofSeconds(60));
            List<Integer> ips = view.ipsOf(node);
            Map<String, Double> lost0 = lostSoFar(others(node));
            client.focus(addresses(ips));
            settle(Duration.ofMillis(500));
            cluster.configure(node, "k8s-client-qps", HIGH_QPS);
            cluster.configure(node, "k8s-client-burst", "4000");
            long t0 = ns(cluster.stopAgent(node, true));
            view.awaitAnsweredByOthers(ips, node, Duration.ofSeconds(30));
            settle(Duration.ofSeconds(1));
            long tEnd = now();
            // The successor a release names takes it at once: the gap is the releases and acquisitions of a third of
            // the Leases on a loaded API, never the expiry wait (>= leaseDuration after the release was observed).
            Outcome o = outcome(soft, fault, client.samples(), ips, t0, tEnd, t0, L, null, lostSince(lost0, 0));
            trials.add(o);
            table.trial(fault, o.unanswered(), "< lease = " + FaultTable.ms(L) + " (no expiry wait)", o.duals(), o.recovery(), "-");
            restartAgent(node);
        }
        requireJudged(soft, fault, trials);
        soft.assertAll();
    }

    @Test
    @Order(3)
    void killDashNineOfAHolder() {
        SoftAssertions soft = new SoftAssertions();
        String fault = "kill -9 of a holder";
        List<Outcome> trials = new ArrayList<>();
        for (int t = 0; moreTrials(t, trials); t++) {
            view.awaitSteady(Duration.ofSeconds(60));
            String victim = view.mostLoaded();
            List<Integer> ips = view.ipsOf(victim);
            Map<String, Double> lost0 = lostSoFar(others(victim));
            client.focus(addresses(ips));
            settle(Duration.ofSeconds(1));
            long t0 = ns(cluster.stopAgent(victim, false));
            view.awaitAnsweredByOthers(ips, victim, TAKEOVER.plusSeconds(10));
            settle(Duration.ofSeconds(1));
            long tEnd = now();
            ArpSamples s = client.samples();
            details.add("kill -9: killed holder's last answer after the signal (per trial, max over its IPs)",
                    assertSilentBy(soft, fault, s, ips, macOf(victim), t0, tEnd, MAX_AGE), "<= max age " + AgentCluster.seconds(MAX_AGE));
            Outcome o = outcome(soft, fault, s, ips, t0, tEnd, t0, TAKEOVER, TAKEOVER, lostSince(lost0, 0));
            trials.add(o);
            table.trial(fault, o.unanswered(), "<= lease + retry + 1 s = " + FaultTable.ms(TAKEOVER), o.duals(), o.recovery(),
                    "<= " + FaultTable.ms(TAKEOVER));
            table.note(fault, "victim held " + ips.size() + " of " + BULK + " Leases");
            restartAgent(victim);
        }
        requireJudged(soft, fault, trials);
        soft.assertAll();
    }

    @Test
    @Order(4)
    void sigstopLongerThanTheLeaseThenSigcont() {
        SoftAssertions soft = new SoftAssertions();
        String fault = "SIGSTOP > lease, then SIGCONT";
        List<Outcome> trials = new ArrayList<>();
        for (int t = 0; moreTrials(t, trials); t++) {
            view.awaitSteady(Duration.ofSeconds(60));
            String victim = view.mostLoaded();
            List<Integer> ips = view.ipsOf(victim);
            Map<String, Double> lost0 = lostSoFar(others(victim));
            client.focus(addresses(ips));
            settle(Duration.ofSeconds(1));
            long t0 = ns(cluster.signal(victim, "STOP"));
            view.awaitAnsweredByOthers(ips, victim, TAKEOVER.plusSeconds(10));
            sleepUntil(t0 + L.plusSeconds(2).toNanos());
            long t1 = ns(cluster.signal(victim, "CONT"));
            // The thawed agent runs its overdue timers (liveness refresh, GARP repeats, renewals) at once; a
            // retry period and two seconds cover them and its first renewals.
            settle(P.plusSeconds(2));
            long tEnd = now();
            ArpSamples s = client.samples();
            details.add("SIGSTOP: frozen holder's last answer after the signal (per trial, max over its IPs)",
                    assertSilentBy(soft, fault, s, ips, macOf(victim), t0, t1, MAX_AGE), "<= max age " + AgentCluster.seconds(MAX_AGE));
            HolderChecks.Unheld thawed = view.unheld(s, victim, t1, tEnd);
            soft.assertThat(addresses(thawed.answered())).as(fault + ": IPs the thawed " + victim
                    + " answered after SIGCONT without holding their Lease").isEmpty();
            soft.assertThat(thawed.gratuitous())
                    .as(fault + ": gratuitous ARPs of the thawed " + victim + " for IPs it does not hold").isEmpty();
            soft.assertThat(thawed.mapSamples())
                    .as(fault + ": map samples of the thawed " + victim + " answering IPs it does not hold").isZero();
            Outcome o = outcome(soft, fault, s, ips, t0, tEnd, t0, TAKEOVER, TAKEOVER, lostSince(lost0, 0));
            trials.add(o);
            table.trial(fault, o.unanswered(), "<= " + FaultTable.ms(TAKEOVER), o.duals(), o.recovery(), "<= " + FaultTable.ms(TAKEOVER));
            table.note(fault, "frozen " + FaultTable.ms(nanos(t1 - t0)) + "; after SIGCONT the thawed node answered and GARPed no IP it did not hold");
            HolderChecks.awaitReady(cluster, victim);
        }
        requireJudged(soft, fault, trials);
        soft.assertAll();
    }

    @Test
    @Order(5)
    void apiBlackholeForOneHolder() {
        SoftAssertions soft = new SoftAssertions();
        String fault = "API blackhole for one holder";
        List<Outcome> trials = new ArrayList<>();
        for (int t = 0; moreTrials(t, trials); t++) {
            view.awaitSteady(Duration.ofSeconds(90));
            String victim = view.mostLoaded();
            List<Integer> ips = view.ipsOf(victim);
            Map<String, Double> lost0 = lostSoFar(others(victim));
            client.focus(addresses(ips));
            settle(Duration.ofSeconds(1));
            long t0 = ns(cluster.apiRoute(victim, false));
            long t1;
            try {
                view.awaitAnsweredByOthers(ips, victim, TAKEOVER.plusSeconds(10));
                sleepUntil(t0 + L.plusSeconds(2).toNanos());
            } finally {
                t1 = ns(cluster.apiRoute(victim, true));
            }
            settle(Duration.ofSeconds(5)); // its watch reconnects: it must stay a follower
            long tEnd = now();
            ArpSamples s = client.samples();
            details.add("API blackhole: cut-off holder's last answer after the cut (per trial, max over its IPs)",
                    assertSilentBy(soft, fault, s, ips, macOf(victim), t0, t1, R.plus(MAX_AGE)),
                    "<= renew deadline + max age = " + FaultTable.ms(R.plus(MAX_AGE)));
            soft.assertThat(answeredWithoutLease(s, victim, t1, tEnd)).as(fault + ": IPs " + victim
                    + " answered after the API came back without holding their Lease").isEmpty();
            Outcome o = outcome(soft, fault, s, ips, t0, tEnd, t0, TAKEOVER, TAKEOVER, lostSince(lost0, 0));
            trials.add(o);
            table.trial(fault, o.unanswered(), "<= " + FaultTable.ms(TAKEOVER), o.duals(), o.recovery(), "<= " + FaultTable.ms(TAKEOVER));
            HolderChecks.awaitReady(cluster, victim);
        }
        requireJudged(soft, fault, trials);
        soft.assertAll();
    }

    /** Issue 14's outage: every node cut from the API server for this long. */
    static final Duration API_DOWN = Duration.ofSeconds(Long.getLong("e2e.faults.apiDownSeconds", 60));

    /**
     * Every node loses the API at once (the API server is SIGSTOPped, so requests hang as behind a dead apiserver):
     * the holders agree over the node-probe channel that nobody can reach it (OutageAgreement) and keep answering,
     * every IP by exactly one node, for the whole outage. After it, no Lease is lost and none changes hands (issue
     * 14), and every IP is answered within a takeover of the API answering again.
     */
    @Test
    @Order(6)
    void apiDownForAllNodes() {
        SoftAssertions soft = new SoftAssertions();
        String fault = "API down for all (SIGSTOP of the API server)";
        String during = fault + ", during the outage";
        List<Integer> all = bulk.stream().map(b -> ipIds.get(b.ip())).toList();
        List<Outcome> trials = new ArrayList<>();
        for (int t = 0; moreTrials(t, trials); t++) {
            view.awaitSteady(Duration.ofSeconds(90));
            client.focus(addresses(all));
            settle(Duration.ofSeconds(1));
            Map<String, String> before = bulkHolders();
            Map<String, Double> lost0 = lostSoFar(cluster.nodeNames());
            long t0 = ns(cluster.signalApi("STOP"));
            long t1;
            try {
                settle(API_DOWN);
            } finally {
                t1 = ns(cluster.signalApi("CONT"));
            }
            // The API serves its backlog first (every request queued while it was stopped): recovery counts from
            // when it answers again, as seen by one more request (a Lease list).
            view.holders();
            long tApi = now();
            // Rule 5 on return: the holders' deferred deadlines count from the last confirmed round, the followers
            // hold off expiry takeovers; a Lease lost anyway would be taken over within a takeover, so wait that out.
            settle(TAKEOVER);
            await("every IP answered again after the API returned").atMost(TAKEOVER.plusSeconds(30))
                    .pollInterval(Duration.ofMillis(100)).until(() -> {
                        BitSet any = new BitSet();
                        maps.sample().nodes().forEach(n -> any.or(n.answering()));
                        return all.stream().allMatch(any::get);
                    });
            settle(Duration.ofSeconds(2));
            long tEnd = now();
            // Answers to the window's last probes are captured late while every node re-announces what it took
            // (hundreds of GARP bursts at once): the samples are taken a while after the window ends.
            settle(Duration.ofSeconds(3));
            ArpSamples s = client.samples();
            // Throughout the outage: every IP answered, by one node. One lost frame is not an outage; the bound allows
            // two in a row (an IP is probed every 500 ms: 1 s), which the client cannot tell from a real gap.
            Outcome d = outcome(soft, during, s, all, t0, t1, t0, MAX_AGE.plus(STAMP_SLACK), null, 0);
            table.trial(during, d.unanswered(), "<= " + FaultTable.ms(MAX_AGE.plus(STAMP_SLACK)) + " (two lost probes)",
                    d.duals(), Duration.ZERO, "-");
            Map<String, String> after = bulkHolders();
            long moved = before.entrySet().stream().filter(e -> !e.getValue().equals(after.get(e.getKey()))).count();
            long lost = lostSince(lost0, 0);
            // After it (issue 14): no Lease lost, none changing hands, so no IP dark; the bounds below are what a
            // lost one would still have to meet, never two responders.
            soft.assertThat(lost).as(fault + ", trial " + (t + 1) + ": Leases lost after the API returned").isZero();
            soft.assertThat(moved).as(fault + ", trial " + (t + 1) + ": Leases that changed hands after the API returned")
                    .isZero();
            Outcome o = outcome(soft, fault, s, all, t1, tEnd, tApi, TAKEOVER, TAKEOVER, 0);
            trials.add(o);
            details.add("API down: SIGCONT -> the API answers a Lease list again (its backlog served)", nanos(tApi - t1),
                    "informational");
            table.trial(fault, o.unanswered(), "after the API returns <= " + FaultTable.ms(TAKEOVER), o.duals(),
                    o.recovery(), "API answering -> all answered <= " + FaultTable.ms(TAKEOVER));
            table.note(fault, "API stopped for " + FaultTable.ms(API_DOWN) + "; trial " + (t + 1) + ": " + moved + " of "
                    + before.size() + " Leases changed hands and " + lost + " were lost after the API returned");
        }
        requireJudged(soft, fault, trials);
        soft.assertAll();
    }

    /** Lease -> holder of the bulk Services' Leases. */
    private Map<String, String> bulkHolders() {
        Map<String, String> out = new TreeMap<>(view.holders());
        out.keySet().retainAll(ipOfLease.keySet());
        return out;
    }

    @Test
    @Order(7)
    void aForeignWriterHijacksLeases() {
        SoftAssertions soft = new SoftAssertions();
        String fault = "foreign writer hijacks Leases";
        int perNode = 10;
        List<Outcome> trials = new ArrayList<>();
        for (int t = 0; moreTrials(t, trials); t++) {
            view.awaitSteady(Duration.ofSeconds(60));
            Map<String, Double> lost0 = lostSoFar(cluster.nodeNames());
            Map<String, String> h = view.holders();
            Map<String, String> victims = new LinkedHashMap<>(); // lease -> old holder
            for (String n : cluster.nodeNames()) {
                h.entrySet().stream().filter(e -> e.getValue().equals(n) && ipOfLease.containsKey(e.getKey()))
                        .map(Map.Entry::getKey).sorted().skip((long) t * perNode).limit(perNode)
                        .forEach(l -> victims.put(l, n));
            }
            List<Integer> ips = victims.keySet().stream().map(ipOfLease::get).toList();
            client.focus(addresses(ips));
            settle(Duration.ofSeconds(1));
            Map<String, Long> writtenAt = new LinkedHashMap<>();
            for (String l : victims.keySet()) {
                writtenAt.put(l, now());
                cluster.api().writeLeaseHolder(NS, l, "intruder", (int) L.toSeconds());
            }
            long t0 = writtenAt.values().iterator().next();
            cluster.mark("foreign writer hijacked " + victims.size() + " Leases (first at " + Instant.ofEpochSecond(0, t0) + ")");
            await("hijacked Leases held by nodes again").atMost(TAKEOVER.plusSeconds(15)).pollInterval(Duration.ofMillis(200))
                    .until(() -> {
                        Map<String, String> now = view.holders();
                        return victims.keySet().stream().allMatch(l -> cluster.nodeNames().contains(now.get(l)));
                    });
            view.awaitSteady(Duration.ofSeconds(30));
            settle(Duration.ofSeconds(1));
            long tEnd = now();
            ArpSamples s = client.samples();
            // Per hijacked IP, from its write: the old holder stands down at its next renewal (which finds the
            // intruder), at the latest renew deadline + max age later; nobody (old holder included) takes the Lease
            // before the intruder's leaseDurationSeconds have passed on its clock. So in [w, w + lease) the last
            // answered probe is no later than renew deadline + max age, and the next answer comes after the lease.
            Set<MacAddress> anyNode = Set.copyOf(cluster.net().nodes().stream().map(NetnsCluster.Member::mac).toList());
            long standDown = 0;
            long earliestBack = Long.MAX_VALUE;
            long latestBack = 0;
            for (var e : victims.entrySet()) {
                int id = ipOfLease.get(e.getKey());
                long w = writtenAt.get(e.getKey());
                long last = s.lastAnsweredProbe(id, w, w + L.minus(STAMP_SLACK).toNanos(), anyNode);
                standDown = Math.max(standDown, last > 0 ? last - w : 0);
                long back = s.firstAnswerAfter(id, Math.max(w, last + 1), anyNode);
                if (back > 0) {
                    earliestBack = Math.min(earliestBack, back - w);
                    latestBack = Math.max(latestBack, back - w);
                }
            }
            soft.assertThat(nanos(standDown)).as(fault + ": last answer of a hijacked IP before the intruder's Lease expired "
                    + "(renew deadline + max age at the latest)").isLessThanOrEqualTo(R.plus(MAX_AGE).plus(STAMP_SLACK));
            soft.assertThat(nanos(earliestBack)).as(fault + ": a node answered a hijacked IP again before the intruder's Lease expired")
                    .isGreaterThanOrEqualTo(L.minus(STAMP_SLACK));
            details.add("foreign writer: hijack -> last answer of the old holder (per trial, max over its IPs)",
                    nanos(standDown), "<= renew deadline + max age = " + FaultTable.ms(R.plus(MAX_AGE)));
            details.add("foreign writer: hijack -> answered again (per trial, earliest IP)", nanos(earliestBack),
                    ">= leaseDurationSeconds the intruder wrote (" + L.toSeconds() + " s)");
            // Each hijacked Lease is lost once by its old holder.
            Outcome o = outcome(soft, fault, s, ips, t0, tEnd, t0, TAKEOVER, null, lostSince(lost0, victims.size()));
            trials.add(o);
            if (o.judged()) {
                soft.assertThat(nanos(latestBack)).as(fault + ": hijack -> the last hijacked IP answered again").isLessThanOrEqualTo(TAKEOVER);
            }
            table.trial(fault, o.unanswered(), "<= " + FaultTable.ms(TAKEOVER), o.duals(), nanos(latestBack),
                    "<= " + FaultTable.ms(TAKEOVER) + " after its write");
            table.note(fault, ips.size() + " Leases per trial (" + perNode + " of each node) set to holder \"intruder\", "
                    + L.toSeconds() + " s; nobody answers them until that Lease expires");
        }
        requireJudged(soft, fault, trials);
        soft.assertAll();
    }

    @Test
    @Order(8)
    void mapOverflowAppliesDeletionsAndInstallsWhatFits() {
        SoftAssertions soft = new SoftAssertions();
        String fault = "map overflow (4,096 entries)";
        int dummies = 20;
        List<Outcome> trials = new ArrayList<>();
        for (int t = 0; moreTrials(t, trials); t++) {
            view.awaitSteady(Duration.ofSeconds(60));
            Map<String, Double> lost0 = lostSoFar(cluster.nodeNames());
            String x = view.mostLoaded();
            int k = nodeIndex(x);
            String netns = cluster.net().node(x).netns();
            List<Integer> own = view.ipsOf(x);
            List<Integer> others = bulk.stream().map(b -> ipIds.get(b.ip())).filter(id -> !own.contains(id)).toList();
            StringBuilder sh = new StringBuilder("set -e\n");
            for (int i = 1; i <= dummies; i++) {
                // veth pairs inside the node (the dummy module may be missing); the peers' names match no device rule
                sh.append("ip -n ").append(netns).append(" link add ovf").append(i).append(" type veth peer name vfo").append(i).append("\n");
                sh.append("ip -n ").append(netns).append(" link set vfo").append(i).append(" up\n");
                sh.append("ip -n ").append(netns).append(" link set ovf").append(i).append(" up\n");
            }
            HostCommand.run(List.of("sh", "-c", sh.toString()));
            String policy = "overflow-" + t;
            String svc = "overflow-" + t;
            try {
                cluster.api().policy("""
                        apiVersion: cilium.io/v2alpha1
                        kind: CiliumL2AnnouncementPolicy
                        metadata:
                          name: %s
                        spec:
                          serviceSelector:
                            matchLabels:
                              l2a-fault: overflow
                          nodeSelector:
                            matchLabels:
                              kubernetes.io/hostname: %s
                          interfaces:
                            - ^eth0$
                            - ^ovf[0-9]+$
                          externalIPs: true
                          loadBalancerIPs: true
                        """.formatted(policy, x));
                // Expected content of the full map: X's bulk entries stay (never evicted for new ones); of the
                // overflow entries, as many as fit, in (IP, ifindex) order.
                Map<String, Integer> ifindex = new HashMap<>();
                for (String line : HostCommand.ok("ip", "-n", netns, "-o", "link").split("\n")) {
                    String[] f = line.split(":\\s+");
                    String name = f[1].split("@")[0];
                    if (name.equals("eth0") || name.startsWith("ovf")) {
                        ifindex.put(name, Integer.parseInt(f[0].trim()));
                    }
                }
                List<Integer> sortedIfindex = ifindex.values().stream().sorted().toList();
                int lan = ifindex.get("eth0");
                int capacity = 4096;
                int room = capacity - own.size();
                int wanted = overflowIps.size() * sortedIfindex.size();
                // overflow IPs are in ascending numeric order; entry i = IP i / n, interface i % n (ascending ifindex)
                Set<Inet4Address> answeredExpected = new HashSet<>();
                int lanPos = sortedIfindex.indexOf(lan);
                for (int j = 0; j < overflowIps.size(); j++) {
                    if (j * sortedIfindex.size() + lanPos < room) {
                        answeredExpected.add(overflowIps.get(j));
                    }
                }
                client.focus(new ArrayList<>(overflowIps));
                long t0 = now();
                cluster.mark("overflow Service " + svc + " for " + x);
                cluster.api().service(externalIpService(svc, overflowIps.stream().map(Inet4Address::getHostAddress).toList(),
                        "l2a-fault", "overflow"));
                await("the map of " + x + " is full").atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200))
                        .until(() -> maps.sample().nodes().get(k).entries() == capacity);
                long full = now();
                settle(Duration.ofSeconds(2));
                // MAP_FULL reported for exactly what did not fit
                JsonNode failures = debug(x, "failures");
                long mapFull = 0;
                for (JsonNode f : failures) {
                    if (f.path("reason").asText().equals("ResponderMapFull")) {
                        mapFull++;
                    }
                }
                soft.assertThat(mapFull).as(fault + ": dbg failures ResponderMapFull rows on " + x).isEqualTo(wanted - room);
                ResponderMapSampler.NodeState st = maps.sample().nodes().get(k);
                Set<Inet4Address> installedLan = st.lanIps().stream().mapToObj(id -> client.ips().get(id))
                        .filter(overflowIps::contains).collect(Collectors.toSet());
                soft.assertThat(installedLan).as(fault + ": overflow IPs installed on eth0 (deterministic order)")
                        .isEqualTo(answeredExpected);
                // Deleting a Service while the map is full still takes effect.
                Bulk gone = bulk.stream().filter(b -> ipIds.get(b.ip()).equals(own.getFirst())).findFirst().orElseThrow();
                int goneId = ipIds.get(gone.ip());
                List<Inet4Address> watch = new ArrayList<>(overflowIps);
                watch.add(gone.ip());
                client.focus(watch);
                settle(Duration.ofMillis(500));
                long deletedAt = now();
                cluster.api().deleteService("default", gone.name());
                await("the deleted Service's IP leaves the full map").atMost(Duration.ofSeconds(15)).pollInterval(Duration.ofMillis(50))
                        .until(() -> !maps.sample().nodes().get(k).lanIps().get(goneId));
                long withdrawn = now();
                settle(Duration.ofSeconds(2));
                long tEnd = now();
                ArpSamples s = client.samples();
                long lastGone = s.lastAnsweredProbe(goneId, deletedAt, tEnd, Set.of(macOf(x)));
                details.add("map overflow: delete a Service while the map is full -> its entry gone (map sample)",
                        nanos(withdrawn - deletedAt), "informational");
                soft.assertThat(s.answerers(goneId, withdrawn + 200_000_000L, tEnd)).as(fault + ": the deleted Service's IP is no longer answered").isEmpty();
                for (Inet4Address ip : overflowIps) {
                    int id = ipIds.get(ip);
                    Set<MacAddress> by = s.answerers(id, full + 500_000_000L, deletedAt);
                    if (answeredExpected.contains(ip)) {
                        soft.assertThat(by).as(fault + ": installed overflow IP " + ip.getHostAddress()).containsExactly(macOf(x));
                    } else {
                        soft.assertThat(by).as(fault + ": overflow IP " + ip.getHostAddress() + " rejected (MAP_FULL) is not answered").isEmpty();
                    }
                }
                // Everything else kept being answered: X's other IPs and the other nodes' IPs.
                List<Integer> keep = new ArrayList<>(own);
                keep.remove(Integer.valueOf(goneId));
                keep.addAll(others);
                Outcome o = outcome(soft, fault, s, keep, t0, tEnd, t0, Duration.ZERO, null, lostSince(lost0, 0));
                trials.add(o);
                // Removing the overflow Service empties the overflow entries again.
                long removed = now();
                cluster.api().deleteService("default", svc);
                Set<Integer> ovfIds = overflowIps.stream().map(ipIds::get).collect(Collectors.toSet());
                await("the overflow entries are withdrawn").atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(100))
                        .until(() -> {
                            ResponderMapSampler.NodeState n = maps.sample().nodes().get(k);
                            return n.lanIps().stream().noneMatch(ovfIds::contains) && n.entries() == own.size() - 1;
                        });
                Duration recovery = nanos(now() - removed);
                table.trial(fault, o.unanswered(), "0 for every other IP", o.duals(), recovery, "informational");
                table.note(fault, wanted + own.size() + " entries wanted on " + dummies + "+1 interfaces, "
                        + (wanted - room) + " ResponderMapFull reported and not installed (deterministic order), "
                        + "a deleted Service's entry removed while full in " + FaultTable.ms(nanos(withdrawn - deletedAt))
                        + "; recovery = overflow Service deleted -> its entries gone");
                if (lastGone > 0) {
                    details.add("map overflow: delete while full -> last answer for the deleted IP", nanos(lastGone - deletedAt), "informational");
                }
                cluster.api().service(externalIpService(gone.name(), List.of(gone.ip().getHostAddress()), "color", "blue"));
            } finally {
                cluster.api().deletePolicy(policy);
                StringBuilder rm = new StringBuilder();
                for (int i = 1; i <= dummies; i++) {
                    rm.append("ip -n ").append(netns).append(" link del ovf").append(i).append(" 2>/dev/null\n");
                }
                HostCommand.run(List.of("sh", "-c", rm + "true"));
            }
        }
        requireJudged(soft, fault, trials);
        soft.assertAll();
    }

    @Test
    @Order(9)
    void deletingTheFirstMemberOfASharedIpKeepsItAnswered() {
        SoftAssertions soft = new SoftAssertions();
        String fault = "first-member deletion of a shared IP";
        List<Outcome> trials = new ArrayList<>();
        for (int t = 0; moreTrials(t, trials); t++) {
            view.awaitSteady(Duration.ofSeconds(60));
            Map<String, Double> lost0 = lostSoFar(cluster.nodeNames());
            Inet4Address ip = sharedIps.get(t % sharedIps.size());
            int id = ipIds.get(ip);
            String a = "shared-a-" + t;
            String b = "shared-b-" + t;
            client.focus(List.of(ip));
            cluster.api().service(externalIpService(a, List.of(ip.getHostAddress()), "color", "blue"));
            await("the shared IP is answered").atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(100))
                    .until(() -> maps.sample().nodes().stream().filter(n -> n.answering().get(id)).count() == 1);
            String holder = view.holders().get(lease(a));
            int k = nodeIndex(holder);
            cluster.api().service(externalIpService(b, List.of(ip.getHostAddress()), "color", "blue"));
            settle(Duration.ofSeconds(2));
            long t0 = now();
            cluster.api().deleteService("default", a);
            cluster.mark("deleted " + a + ", first member of shared " + ip.getHostAddress());
            settle(P.plusSeconds(2)); // a renaming would withdraw it at the next converge; one renewal of the kept Lease
            long tEnd = now();
            ArpSamples s = client.samples();
            Outcome o = outcome(soft, fault, s, List.of(id), t0, tEnd, t0, Duration.ZERO, null, lostSince(lost0, 0));
            trials.add(o);
            if (o.judged()) { // an overloaded API may make the holder stand down, which is not what is tested here
                soft.assertThat(s.answerers(id, t0, tEnd)).as(fault + ": answered by the same node").containsExactly(macOf(holder));
                soft.assertThat(maps.samples(t0, tEnd).stream().filter(x -> !x.nodes().get(k).answering().get(id)).count())
                        .as(fault + ": map samples of " + holder + " without the shared IP").isZero();
                soft.assertThat(view.holders().get(lease(a))).as(fault + ": the group keeps its Lease").isEqualTo(holder);
            }
            // The last member goes: the IP is withdrawn and the Lease deleted at once (not after the GC minute).
            long gone = now();
            cluster.api().deleteService("default", b);
            await("the shared IP's Lease is deleted").atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(100))
                    .until(() -> !view.holders().containsKey(lease(a)) && !view.holders().containsKey(lease(b)));
            Duration leaseGone = nanos(now() - gone);
            details.add("shared IP: last member deleted -> its Lease deleted", leaseGone, "< GC interval (60 s)");
            table.trial(fault, o.unanswered(), "0 (same node, no gap)", o.duals(), null, "");
            table.note(fault, "answered by the same node throughout, the group kept its Lease; last member deleted -> Lease deleted in "
                    + FaultTable.ms(leaseGone));
        }
        requireJudged(soft, fault, trials);
        soft.assertAll();
    }

    @Test
    @Order(10)
    void restartWithPinnedStateAnswersNoStaleEntry() {
        SoftAssertions soft = new SoftAssertions();
        String fault = "kill -9 + restart with pinned state";
        List<Outcome> trials = new ArrayList<>();
        for (int t = 0; moreTrials(t, trials); t++) {
            view.awaitSteady(Duration.ofSeconds(60));
            String victim = view.mostLoaded();
            int k = nodeIndex(victim);
            List<Integer> ips = view.ipsOf(victim);
            Map<String, Double> lost0 = lostSoFar(others(victim));
            client.focus(addresses(ips));
            settle(Duration.ofSeconds(1));
            long t0 = ns(cluster.stopAgent(victim, false));
            assertThat(cluster.awaitExit(victim, Duration.ofSeconds(10))).isTrue();
            boolean afterTakeover = t % 2 == 0;
            if (afterTakeover) {
                view.awaitAnsweredByOthers(ips, victim, TAKEOVER.plusSeconds(10));
            }
            sleepUntil(t0 + MAX_AGE.plus(STAMP_SLACK).toNanos());
            ResponderMapSampler.NodeState stale = maps.sample().nodes().get(k);
            soft.assertThat(stale.lanIps().cardinality()).as(fault + ": the pinned map still holds the dead agent's entries")
                    .isEqualTo(ips.size());
            soft.assertThat(stale.fresh()).as(fault + ": ... behind a stale liveness stamp").isFalse();
            cluster.startAgent(victim);
            long started = ns(cluster.startedAt(victim));
            HolderChecks.awaitReady(cluster, victim);
            view.awaitSteady(Duration.ofSeconds(60));
            settle(Duration.ofSeconds(1));
            long tEnd = now();
            ArpSamples s = client.samples();
            soft.assertThat(answeredWithoutLease(s, victim, started, tEnd)).as(fault + ": IPs the restarted " + victim
                    + " answered without holding their Lease").isEmpty();
            Set<Integer> held = new HashSet<>(view.ipsOf(victim));
            soft.assertThat(maps.samples(started, tEnd).stream().map(x -> x.nodes().get(k).answering())
                    .filter(b -> b.stream().anyMatch(id -> !held.contains(id))).count())
                    .as(fault + ": map samples of the restarted " + victim + " answering a stale entry").isZero();
            Outcome o = outcome(soft, fault, s, ips, t0, tEnd, t0, TAKEOVER, TAKEOVER, lostSince(lost0, 0));
            trials.add(o);
            table.trial(fault, o.unanswered(), "<= " + FaultTable.ms(TAKEOVER), o.duals(), o.recovery(), "<= " + FaultTable.ms(TAKEOVER));
            table.note(fault, (afterTakeover ? "restarted after the takeover" : "restarted at once (races the takeover)")
                    + ": " + ips.size() + " stale pinned entries never answered");
        }
        requireJudged(soft, fault, trials);
        soft.assertAll();
    }

    @Test
    @Order(11)
    void neverTwoAnswerersForOneIpDuringTheWholeRun() {
        long to = now();
        ArpSamples s = client.samples();
        assertThat(s.probes(runFrom, to)).isGreaterThan(100_000);
        assertThat(s.duals(runFrom, to)).as(() -> "probes answered by two MACs\n" + explain(s.duals(runFrom, to))).isEmpty();
        assertThat(view.overlapSamples(runFrom, to)).as("map samples with two nodes answering one IP").isZero();
        List<ArpSamples.Dual> none = s.duals(runFrom, to);
        table.trial("whole run", List.of(), "", none.size(), null, "");
        table.note("whole run", s.probes(runFrom, to) + " probes, " + maps.samples(runFrom, to).size() + " map samples, "
                + view.overlapSamples(runFrom, to) + " with two nodes answering one IP");
    }
}
