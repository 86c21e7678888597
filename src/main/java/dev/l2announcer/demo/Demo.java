package dev.l2announcer.demo;

import dev.l2announcer.datapath.MacAddress;

import java.io.IOException;
import java.io.UncheckedIOException;
import dev.l2announcer.datapath.AddressFamily;
import dev.l2announcer.datapath.Addresses;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.locks.LockSupport;

/**
 * {@code ./l2a demo}: the README's first command. As root: builds a LAN of network namespaces, starts
 * the mock Kubernetes API and three packaged agents, applies the example policy and two LoadBalancer
 * Services (the first dual-stack: one IPv4 and one IPv6 address), shows which node holds which lease and
 * who answers the client's ARP and Neighbor Solicitations, then kill -9s the holder of the first Service
 * and shows the failover time of both addresses. Ctrl-C (or the end) removes everything.
 * Without root it says so and runs the simulated datapath instead ({@link SimulatedDemo}).
 */
public final class Demo {
    private static final Path JAR = Path.of("target", "quarkus-app", "quarkus-run.jar");
    private static final Duration PROBE_INTERVAL = Duration.ofMillis(100);

    private static volatile boolean interrupted;
    private static volatile boolean finished;
    private final Instant start = Instant.now();
    private final boolean follow;

    private Demo(boolean follow) {
        this.follow = follow;
    }

    /** A demo Service and its LB IPs (one per family for a dual-stack Service). */
    record Svc(String name, List<InetAddress> ips) {
        Svc(String name, String... ips) {
            this(name, java.util.Arrays.stream(ips).map(InetAddress::ofLiteral).toList());
        }

        String lease() {
            return "cilium-l2announce-default-" + name;
        }

        boolean dualStack() {
            return ips.stream().map(AddressFamily::of).distinct().count() > 1;
        }

        /** The manifest users would apply (ipFamilies [IPv4, IPv6] when dual-stack); the IPs go to /status. */
        String yaml() {
            return dualStack() ? Resources.dualStackService(name) : Resources.service(name, ips.getFirst().getHostAddress());
        }

        String[] ipStrings() {
            return ips.stream().map(Addresses::format).toArray(String[]::new);
        }

        String ipList() {
            return String.join(",", ipStrings());
        }
    }

    /** What the demo applies, and the e2e too: web is dual-stack, api IPv4 only. */
    static final List<Svc> SERVICES = List.of(new Svc("web", "192.0.2.100", "2001:db8::100"), new Svc("api", "192.0.2.101"));

    /** "ARP" or "NDP": who resolves {@code ip} on the LAN. */
    static String protocol(InetAddress ip) {
        return AddressFamily.of(ip).protocol();
    }

    public static void main(String[] args) throws Exception {
        boolean follow = List.of(args).contains("--follow");
        if (List.of(args).contains("--help") || List.of(args).contains("-h")) {
            System.out.println("usage: ./l2a demo [--follow] [--simulated]   (root: real netns cluster; otherwise,"
                    + " or with --simulated, in-memory datapath fakes)");
            return;
        }
        if (List.of(args).contains("--simulated")) {
            SimulatedDemo.run(follow);
            return;
        }
        if (!HostCommand.isRoot()) {
            System.out.println("""
                    l2a demo: not running as root, so no network namespaces, bpffs or XDP here.
                    Running the SIMULATED datapath instead (in-memory responder maps, no real ARP).
                    For the real thing: sudo ./l2a demo
                    """);
            SimulatedDemo.run(follow);
            return;
        }
        Thread main = Thread.currentThread();
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            if (main.isAlive() && !finished) {
                interrupted = true;
                System.out.println("\nl2a demo: stopping (Ctrl-C); removing agents, namespaces and bpffs ...");
            }
        }));
        try {
            new Demo(follow).run();
            finished = true;
        } catch (RuntimeException e) {
            if (interrupted) {
                return; // the cluster's own shutdown hook is cleaning up
            }
            System.out.println("l2a demo failed: " + e.getMessage());
            System.out.println("(everything it created has been removed; agent logs are in target/demo-logs/)");
            System.exit(1);
        }
    }

    private void say(String fmt, Object... args) {
        double s = Duration.between(start, Instant.now()).toMillis() / 1000.0;
        System.out.printf("[%5.1fs] %s%n", s, String.format(fmt, args));
    }

    private void run() {
        AgentCluster.Timings t = AgentCluster.Timings.SHORT;
        List<Svc> services = SERVICES;
        say("building the LAN: a bridge + 3 node namespaces + client + API server (names l2a-e2e-%d-*)",
                ProcessHandle.current().pid());
        try (AgentCluster c = AgentCluster.create(3, JAR, t, Path.of("target", "demo-logs"));
             LoopbackForwarder forwarder = LoopbackForwarder.start(c.net().client().netns(),
                     new InetSocketAddress(NetnsCluster.API_IP, NetnsCluster.API_PORT))) {
            for (NetnsCluster.Member n : c.net().nodes()) {
                say("  %-6s %-12s %s   %s", n.name(), n.ip().getHostAddress(), n.mac(), Addresses.format(n.ip6()));
            }
            say("  client %-12s %s   %s   Kubernetes API (embedded) http://%s:%d", NetnsCluster.CLIENT_IP,
                    c.net().client().mac(), NetnsCluster.CLIENT_IP6, NetnsCluster.API_IP, NetnsCluster.API_PORT);
            Path kubeconfig = Kubectl.writeKubeconfig(c.net().workDir().resolve("kubeconfig"),
                    "http://127.0.0.1:" + forwarder.port(), "default");
            say("  kubectl reaches it on this host at http://127.0.0.1:%d (loopback only, forwarded into the LAN)",
                    forwarder.port());
            Optional<KubectlTour> kubectl = KubectlTour.find(kubeconfig, c.net().workDir().resolve("kube-cache"),
                    m -> say("%s", m));
            say("starting 3 agents (lease %s, renew %s, retry %s); logs in %s", AgentCluster.seconds(t.leaseDuration()),
                    AgentCluster.seconds(t.renewDeadline()), AgentCluster.seconds(t.retryPeriod()),
                    c.net().logDir().toAbsolutePath());
            c.nodeNames().forEach(c::startAgent);
            awaitReady(c);
            kubectl.ifPresent(k -> k.show("get", "nodes"));
            applyPolicy(c, kubectl);
            applyServices(c, kubectl, services);
            List<InetAddress> ips = services.stream().flatMap(s -> s.ips().stream()).toList();
            c.observer().startProbing(ips, PROBE_INTERVAL, 100_000);
            say("client asks for %s every %d ms (ARP requests, Neighbor Solicitations for IPv6) and captures every"
                    + " ARP and NDP frame (kernel timestamps)", ips.stream().map(Addresses::format).toList(), PROBE_INTERVAL.toMillis());

            Map<String, String> shown = new HashMap<>();
            watch(c, services, shown, Duration.ofSeconds(40), () -> services.stream().allMatch(s -> {
                String h = shown.getOrDefault(s.name() + "/lease", "-");
                return !h.equals("-") && h.equals(shown.get(s.name() + "/arp"));
            }));
            table(c, services);
            kubectl.ifPresent(k -> {
                k.show("-n", AgentCluster.LEASE_NAMESPACE, "get", "lease");
                k.awaitAny(Duration.ofSeconds(15), "get", "events", "--field-selector",
                        "involvedObject.name=web,reason=L2Announced", "-o", "name");
                k.showFrom("Events:", "describe", "service", "web");
            });

            Svc victim = services.getFirst();
            String holder = c.api().leaseHolder(AgentCluster.LEASE_NAMESPACE, victim.lease());
            if (holder.equals("-")) {
                say("no node holds %s: see the agent logs in %s", victim.lease(), c.net().logDir().toAbsolutePath());
                return;
            }
            MacAddress oldMac = c.net().node(holder).mac();
            victim.ips().forEach(c::clientTouches);
            LockSupport.parkNanos(Duration.ofMillis(300).toNanos());
            Instant killed = c.stopAgent(holder, false);
            say("kill -9 the agent on %s (holder of default/%s: %s)", holder, victim.name(), victim.ipList());
            watch(c, services, shown, t.leaseDuration().plusSeconds(15),
                    () -> victim.ips().stream().allMatch(ip -> c.observer().timeline(ip).firstAnswerAfter(killed, oldMac).isPresent())
                            && !shown.getOrDefault(victim.name() + "/lease", holder).equals(holder));
            for (InetAddress ip : victim.ips()) {
                Optional<NeighbourPacket> first = c.observer().timeline(ip).firstAnswerAfter(killed, oldMac);
                if (first.isEmpty()) {
                    say("no other node answered %s within the bound: see the agent logs in %s", Addresses.format(ip),
                            c.net().logDir().toAbsolutePath());
                    continue;
                }
                Duration d = Duration.between(killed, first.get().at());
                say("FAILOVER: %s (%s) answered by %s %d ms after kill -9 (lease duration %s)", Addresses.format(ip),
                        protocol(ip), c.nameOf(first.get().senderMac()), d.toMillis(), AgentCluster.seconds(t.leaseDuration()));
                c.neighbours().firstMoveAfter(killed, ip, oldMac).ifPresent(m -> say(
                        "          client's neighbour entry for %s moved to %s %d ms after kill -9 (%s)",
                        Addresses.format(ip), m.mac().map(c::nameOf).orElse("?"), Duration.between(killed, m.at()).toMillis(),
                        ip instanceof java.net.Inet6Address ? "unsolicited neighbor advertisement" : "gratuitous ARP"));
            }
            int conflicts = ips.stream().mapToInt(ip -> c.observer().timeline(ip).conflicts().size()).sum();
            say("probes answered by two MACs at once during the demo: %d", conflicts);
            table(c, services);
            kubectl.ifPresent(k -> k.show("-n", AgentCluster.LEASE_NAMESPACE, "get", "lease"));
            if (follow) {
                say("--follow: restarting the agent on %s; live view until Ctrl-C", holder);
                c.startAgent(holder);
                System.out.printf("""

                        In another terminal (as root, the demo's namespaces are root's):
                          export KUBECONFIG=%s
                          kubectl get svc,lease -A
                          kubectl apply -f your-service.yaml           # type LoadBalancer, label color=blue
                          kubectl label node %s node-role.kubernetes.io/control-plane=   # policy1 excludes it
                          kubectl delete l2announcement policy1        # every announcement stops
                        (an LB IPAM writes .status.loadBalancer.ingress; here nothing does, so set it yourself:
                          kubectl patch svc NAME --subresource=status --type=merge \
                            -p '{"status":{"loadBalancer":{"ingress":[{"ip":"192.0.2.102"}]}}}')

                        """, kubeconfig, holderOr(c, services.get(1), "node1"));
                watch(c, services, shown, Duration.ofDays(1), () -> false);
            }
            say("cleaning up (agents, namespaces, bpffs)");
        }
        say("done");
    }

    /**
     * The example policy, first with a bad selector so the agents' condition shows (True, Kubernetes'
     * wording), then as shipped (False). Without kubectl the demo applies the example itself.
     */
    private void applyPolicy(AgentCluster c, Optional<KubectlTour> kubectl) {
        if (kubectl.isEmpty()) {
            c.api().policy(Resources.POLICY);
            say("applied CiliumL2AnnouncementPolicy policy1 (Services color=blue, interfaces ^eth[0-9]+)");
            return;
        }
        KubectlTour k = kubectl.get();
        Path bad = c.net().workDir().resolve("policy1-bad-selector.yaml");
        write(bad, Resources.policyWithBadSelector());
        say("the example policy with a mistake (an In requirement without values):");
        k.show("apply", "-f", bad.toString());
        k.show("get", "l2announcement");
        String condition = "jsonpath={.status.conditions[?(@.type==\"io.cilium/bad-service-selector\")].status}";
        k.await(Duration.ofSeconds(20), "True", "get", "l2announcement", "policy1", "-o", condition);
        k.show("describe", "l2announcement", "policy1");
        say("fixed: the example as shipped");
        k.show("apply", "-f", Resources.POLICY_FILE.toString());
        k.await(Duration.ofSeconds(20), "False", "get", "l2announcement", "policy1", "-o", condition);
        k.showFrom("Status:", "describe", "l2announcement", "policy1");
    }

    private void applyServices(AgentCluster c, Optional<KubectlTour> kubectl, List<Svc> services) {
        if (kubectl.isPresent()) {
            Path file = c.net().workDir().resolve("services.yaml");
            write(file, String.join("---\n", services.stream().map(Svc::yaml).toList()));
            kubectl.get().show("apply", "-f", file.toString());
        } else {
            services.forEach(s -> c.api().service(s.yaml()));
        }
        for (Svc s : services) {
            c.api().serviceLoadBalancerIp("default", s.name(), s.ipStrings());
            say("Service default/%s type LoadBalancer%s, status.loadBalancer.ingress %s (written as an LB IPAM would)",
                    s.name(), s.dualStack() ? " dual-stack (ipFamilies IPv4, IPv6)" : "", s.ipList());
        }
        kubectl.ifPresent(k -> k.show("get", "svc"));
    }

    private static String holderOr(AgentCluster c, Svc s, String fallback) {
        String h = c.api().leaseHolder(AgentCluster.LEASE_NAMESPACE, s.lease());
        return h.equals("-") ? fallback : h;
    }

    private static void write(Path file, String text) {
        try {
            Files.writeString(file, text);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private void awaitReady(AgentCluster c) {
        List<String> pending = new ArrayList<>(c.nodeNames());
        Instant deadline = Instant.now().plusSeconds(180);
        while (!pending.isEmpty() && Instant.now().isBefore(deadline)) {
            for (String n : List.copyOf(pending)) {
                if (!c.agent(n).isAlive()) {
                    throw new IllegalStateException("agent on " + n + " exited: see "
                            + c.net().logDir().resolve("agent-" + n + ".log").toAbsolutePath());
                }
                if (c.ready(n)) {
                    say("agent on %s ready", n);
                    pending.remove(n);
                }
            }
            LockSupport.parkNanos(Duration.ofMillis(500).toNanos());
        }
        if (!pending.isEmpty()) {
            String why = c.net().exec(c.net().node(pending.getFirst()), false, "curl", "-s", "--max-time", "2",
                    "http://127.0.0.1:" + AgentCluster.DEBUG_PORT + "/q/health/ready");
            throw new IllegalStateException("agents not ready after 180 s: " + pending + "; readiness of "
                    + pending.getFirst() + ": " + why);
        }
    }

    /**
     * Prints lease and ARP/NDP changes as they happen until {@code done} or {@code max} elapsed; {@code <svc>/arp} in
     * {@code shown} is who answered every address of the Service ("a+b" when they differ).
     */
    private void watch(AgentCluster c, List<Svc> services, Map<String, String> shown, Duration max,
                       java.util.function.BooleanSupplier done) {
        Instant end = Instant.now().plus(max);
        while (Instant.now().isBefore(end)) {
            for (Svc s : services) {
                String holder = c.api().leaseHolder(AgentCluster.LEASE_NAMESPACE, s.lease());
                if (!holder.equals(shown.put(s.name() + "/lease", holder))) {
                    say("lease %s -> %s", s.lease(), holder);
                }
                Instant now = Instant.now();
                Set<MacAddress> all = new java.util.LinkedHashSet<>();
                for (InetAddress ip : s.ips()) {
                    Set<MacAddress> macs = c.observer().timeline(ip).answerersBetween(now.minus(PROBE_INTERVAL.multipliedBy(3)), now);
                    all.addAll(macs);
                    String who = macs.isEmpty() ? "nobody" : String.join("+", macs.stream().map(c::nameOf).toList());
                    if (!who.equals(shown.put(s.name() + "/arp/" + Addresses.format(ip), who))) {
                        say("%s %s answered by %s%s", protocol(ip), Addresses.format(ip), who,
                                macs.size() == 1 ? " (" + macs.iterator().next() + ")" : "");
                    }
                }
                shown.put(s.name() + "/arp", all.isEmpty() ? "nobody" : String.join("+", all.stream().map(c::nameOf).toList()));
            }
            if (done.getAsBoolean()) {
                return;
            }
            LockSupport.parkNanos(Duration.ofMillis(200).toNanos());
        }
    }

    private void table(AgentCluster c, List<Svc> services) {
        Map<String, String> rows = new LinkedHashMap<>();
        System.out.println();
        System.out.printf("  %-12s %-14s %-36s %-14s %s%n", "SERVICE", "IP", "LEASE", "HOLDER", "GARPs/unsolicited NAs seen");
        for (Svc s : services) {
            rows.put(s.name(), c.api().leaseHolder(AgentCluster.LEASE_NAMESPACE, s.lease()));
            for (InetAddress ip : s.ips()) {
                System.out.printf("  %-12s %-14s %-36s %-14s %d%n", "default/" + s.name(), Addresses.format(ip),
                        s.lease(), rows.get(s.name()), c.observer().timeline(ip).gratuitous().size());
            }
        }
        System.out.println();
    }
}
