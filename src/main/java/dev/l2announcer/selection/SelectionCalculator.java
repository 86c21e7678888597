package dev.l2announcer.selection;

import dev.l2announcer.datapath.Device;
import dev.l2announcer.policy.ValidatedPolicy;

import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SortedMap;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Pure selection: {@link SelectionInputs} in, {@link SelectionSnapshot} out.
 *
 * <h2>Rules</h2>
 * <ol>
 *   <li>Policies that are not {@link ValidatedPolicy#usable() usable} select nothing.</li>
 *   <li>A Service is considered only if its loadBalancerClass is unset or {@code io.cilium/l2-announcer}.</li>
 *   <li>A policy selects a Service when its serviceSelector matches the Service's labels plus
 *       {@code io.kubernetes.service.namespace/name}, and it contributes the Service's ingress IPs if
 *       {@code loadBalancerIPs} and its {@code spec.externalIPs} if {@code externalIPs} and the agent's
 *       {@code enable-external-ips}. A policy contributing no IP does not select the Service, and a
 *       Service no policy contributes an IP to is not selected at all: it never gets a group or lease.</li>
 *   <li>Candidate nodes of a Service: the nodes (not excluded, see {@link NodeState#exclusion()}) that
 *       match the nodeSelector of at least one policy contributing to it; for
 *       {@code externalTrafficPolicy: Local} only those of them running a ready endpoint of it, or, when no
 *       node runs a ready one, a serving and terminating one ({@link EndpointNodes#announcing()}).</li>
 *   <li>Services sharing an IP, or a lease name, transitively, form one {@link AnnouncementGroup}, elected by
 *       one Lease ({@link GroupNaming}: the oldest existing Lease that belongs to the group, else
 *       {@link LeaseNames#forService} of its first member in (namespace, name) order). The group's
 *       candidates are the nodes that are candidates of every member; if no node is, the nodes that are
 *       candidates of any member (so some member keeps working).</li>
 *   <li>Interfaces of an IP on this node: the union, over the policies that contribute the IP to a member
 *       this node is a candidate for and whose nodeSelector matches this node, of this node's devices
 *       that are usable for L2 (up, not loopback, has a MAC), pass the {@code devices} option and match
 *       one of the policy's regexes. Empty when this node is not a candidate of the group.</li>
 *   <li>{@code localCandidate}: this node is a candidate of the group, whatever its interfaces. It campaigns
 *       only if an address of the group (IPv4 or IPv6) also has an interface here
 *       ({@code AnnouncementPlanner.campaign}); otherwise the planner reports why (no usable interface), so a
 *       candidate that cannot announce is never silent. Both families are one group: a dual-stack Service is
 *       elected once and announced in both from its holder.</li>
 * </ol>
 * Candidates are computed from API objects only, so every agent computes the same set per group;
 * interfaces and localCandidate depend on this node's devices.
 */
public final class SelectionCalculator {

    private SelectionCalculator() {
    }

    /** One policy contributing IPs of one Service. */
    private record Contribution(int policy, List<InetAddress> ips) {
    }

    /** @param leaseName the Service's own (Cilium) lease name, {@link LeaseNames#forService} */
    private record SelectedService(ServiceRef ref, String leaseName, List<Contribution> contributions,
                                   BitSet candidates) {
    }

    public static SelectionSnapshot compute(SelectionInputs in) {
        List<ValidatedPolicy> policies = in.policies().stream()
                .filter(ValidatedPolicy::usable)
                .sorted(Comparator.comparing(ValidatedPolicy::name, Comparator.nullsFirst(Comparator.naturalOrder())))
                .toList();

        // Eligible nodes get a dense index in name order, so candidate sets are BitSets and
        // iterating a BitSet yields names sorted.
        List<NodeState> eligible = in.nodes().stream()
                .filter(NodeState::eligible)
                .sorted(Comparator.comparing(NodeState::name))
                .toList();
        Map<String, Integer> nodeIndex = new HashMap<>();
        for (int i = 0; i < eligible.size(); i++) {
            nodeIndex.put(eligible.get(i).name(), i);
        }
        int local = nodeIndex.getOrDefault(in.localNode(), -1);

        BitSet[] policyNodes = new BitSet[policies.size()];
        List<List<String>> policyInterfaces = new ArrayList<>(policies.size());
        for (int p = 0; p < policies.size(); p++) {
            ValidatedPolicy policy = policies.get(p);
            BitSet nodes = new BitSet(eligible.size());
            for (int n = 0; n < eligible.size(); n++) {
                if (policy.nodeSelector().matches(eligible.get(n).labels())) {
                    nodes.set(n);
                }
            }
            policyNodes[p] = nodes;
            policyInterfaces.add(localInterfaces(policy, in.localDevices(), in.devices()));
        }

        List<SelectedService> selected = new ArrayList<>();
        for (ServiceState svc : in.services()) {
            SelectedService s = select(svc, policies, policyNodes, nodeIndex, in);
            if (s != null) {
                selected.add(s);
            }
        }
        selected.sort(Comparator.comparing(SelectedService::ref));

        int[] parent = unionByIpOrLeaseName(selected);
        Map<Integer, List<SelectedService>> members = new TreeMap<>();
        for (int i = 0; i < selected.size(); i++) {
            members.computeIfAbsent(find(parent, i), k -> new ArrayList<>()).add(selected.get(i));
        }
        List<List<SelectedService>> memberLists = new ArrayList<>(members.values());
        String[] leaseNames = leaseNames(memberLists, in);

        SortedMap<String, AnnouncementGroup> groups = new TreeMap<>();
        // Groups mostly share a few candidate sets (one per policy/node-selector mix): build each once.
        Map<BitSet, SortedSet<String>> names = new HashMap<>();
        for (int g = 0; g < memberLists.size(); g++) {
            groups.put(leaseNames[g], group(leaseNames[g], memberLists.get(g), eligible, local, policyNodes,
                    policyInterfaces, names));
        }
        return new SelectionSnapshot(fingerprint(groups), groups);
    }

    private static SelectedService select(ServiceState svc, List<ValidatedPolicy> policies, BitSet[] policyNodes,
                                          Map<String, Integer> nodeIndex, SelectionInputs in) {
        if (!svc.classAllowed()) {
            return null;
        }
        boolean hasLb = !svc.loadBalancerIPs().isEmpty();
        boolean hasExt = in.enableExternalIps() && !svc.externalIPs().isEmpty();
        if (!hasLb && !hasExt) {
            return null;
        }
        Map<String, String> labels = null;
        List<Contribution> contributions = new ArrayList<>();
        for (int p = 0; p < policies.size(); p++) {
            ValidatedPolicy policy = policies.get(p);
            boolean lb = policy.loadBalancerIPs() && hasLb;
            boolean ext = policy.externalIPs() && hasExt;
            // Cilium: "Policy IP type and Service IP type must match" (l2announcer.go, upsertSvc)
            if (!lb && !ext) {
                continue;
            }
            if (labels == null) {
                labels = svc.selectorLabels();
            }
            if (!policy.serviceSelector().matches(labels)) {
                continue;
            }
            LinkedHashSet<InetAddress> ips = new LinkedHashSet<>();
            if (lb) {
                ips.addAll(svc.loadBalancerIPs());
            }
            if (ext) {
                ips.addAll(svc.externalIPs());
            }
            contributions.add(new Contribution(p, List.copyOf(ips)));
        }
        if (contributions.isEmpty()) {
            return null;
        }
        BitSet candidates = new BitSet();
        for (Contribution c : contributions) {
            candidates.or(policyNodes[c.policy()]);
        }
        if (svc.externalTrafficPolicyLocal()) {
            // Cilium documents Local as unsupported (it announces from nodes without endpoints and
            // traffic is dropped); here only nodes kube-proxy delivers to may announce (EndpointNodes).
            BitSet ready = new BitSet();
            for (String node : in.endpointNodes().getOrDefault(svc.ref(), EndpointNodes.NONE).announcing()) {
                Integer idx = nodeIndex.get(node);
                if (idx != null) {
                    ready.set(idx);
                }
            }
            candidates.and(ready);
        }
        return new SelectedService(svc.ref(), LeaseNames.forService(svc.ref()), contributions, candidates);
    }

    /**
     * Union-find over services sharing any IP or the same lease name; returns the parent array. Lease names
     * can collide ({@code team/a-web} and {@code team-a/web} are both {@code cilium-l2announce-team-a-web}):
     * one Lease is one election, so such services are one group and the holder announces both, as in Cilium,
     * whose electors of both Services share the Lease and the node identity (pkg/l2announcer/l2announcer.go,
     * newLeaseLock) so the holding node leads both.
     */
    private static int[] unionByIpOrLeaseName(List<SelectedService> selected) {
        int[] parent = new int[selected.size()];
        for (int i = 0; i < parent.length; i++) {
            parent[i] = i;
        }
        Map<InetAddress, Integer> firstOwner = new HashMap<>();
        Map<String, Integer> firstNamed = new HashMap<>();
        for (int i = 0; i < selected.size(); i++) {
            Integer named = firstNamed.putIfAbsent(selected.get(i).leaseName(), i);
            if (named != null) {
                union(parent, named, i);
            }
            for (Contribution c : selected.get(i).contributions()) {
                for (InetAddress ip : c.ips()) {
                    Integer owner = firstOwner.putIfAbsent(ip, i);
                    if (owner != null) {
                        union(parent, owner, i);
                    }
                }
            }
        }
        return parent;
    }

    private static int find(int[] parent, int i) {
        while (parent[i] != i) {
            parent[i] = parent[parent[i]];
            i = parent[i];
        }
        return i;
    }

    private static void union(int[] parent, int a, int b) {
        int ra = find(parent, a);
        int rb = find(parent, b);
        if (ra != rb) {
            // The smaller index (earlier in (namespace, name) order) stays root; not needed for
            // correctness, it just keeps groups in a predictable shape.
            parent[Math.max(ra, rb)] = Math.min(ra, rb);
        }
    }

    /** Per group (in {@code groups} order), its lease name: {@link GroupNaming} over the Leases that exist. */
    private static String[] leaseNames(List<List<SelectedService>> groups, SelectionInputs in) {
        List<List<String>> natural = new ArrayList<>(groups.size());
        List<Set<InetAddress>> addresses = new ArrayList<>(groups.size());
        boolean needAddresses = !in.leases().isEmpty();
        for (List<SelectedService> members : groups) {
            List<String> n = new ArrayList<>(members.size());
            Set<InetAddress> ips = needAddresses ? new HashSet<>() : Set.of();
            for (SelectedService s : members) {
                n.add(s.leaseName());
                if (needAddresses) {
                    for (Contribution c : s.contributions()) {
                        ips.addAll(c.ips());
                    }
                }
            }
            natural.add(n);
            addresses.add(ips);
        }
        return GroupNaming.names(natural, addresses, in.leases(), in.previousLeases());
    }

    private static AnnouncementGroup group(String leaseName, List<SelectedService> members, List<NodeState> eligible,
                                           int local, BitSet[] policyNodes, List<List<String>> policyInterfaces,
                                           Map<BitSet, SortedSet<String>> nameCache) {
        BitSet all = new BitSet();
        BitSet every = null;
        for (SelectedService s : members) {
            all.or(s.candidates());
            if (every == null) {
                every = (BitSet) s.candidates().clone();
            } else {
                every.and(s.candidates());
            }
        }
        BitSet candidates = every != null && !every.isEmpty() ? every : all;
        boolean localInGroup = local >= 0 && candidates.get(local);

        TreeMap<InetAddress, TreeSet<String>> addresses = new TreeMap<>(IpLiterals.ORDER);
        for (SelectedService s : members) {
            boolean serves = localInGroup && s.candidates().get(local);
            for (Contribution c : s.contributions()) {
                boolean here = serves && policyNodes[c.policy()].get(local);
                for (InetAddress ip : c.ips()) {
                    TreeSet<String> ifaces = addresses.computeIfAbsent(ip, k -> new TreeSet<>());
                    if (here) {
                        ifaces.addAll(policyInterfaces.get(c.policy()));
                    }
                }
            }
        }
        List<AddressOnInterfaces> addressList = new ArrayList<>(addresses.size());
        for (Map.Entry<InetAddress, TreeSet<String>> e : addresses.entrySet()) {
            addressList.add(new AddressOnInterfaces(e.getKey(), List.copyOf(e.getValue())));
        }
        SortedSet<String> names = nameCache.computeIfAbsent(candidates, bits -> {
            List<String> sorted = new ArrayList<>(bits.cardinality());
            for (int n = bits.nextSetBit(0); n >= 0; n = bits.nextSetBit(n + 1)) {
                sorted.add(eligible.get(n).name());
            }
            return ImmutableNameSet.of(sorted);
        });
        List<ServiceRef> refs = members.stream().map(SelectedService::ref).toList();
        return new AnnouncementGroup(leaseName, refs, addressList, names, localInGroup);
    }

    private static List<String> localInterfaces(ValidatedPolicy policy, List<Device> devices, DeviceNameFilter filter) {
        TreeSet<String> names = new TreeSet<>();
        for (Device d : devices) {
            if (d.usableForL2() && filter.matches(d.name()) && policy.matchesInterface(d.name())) {
                names.add(d.name());
            }
        }
        return List.copyOf(names);
    }

    /**
     * A content fingerprint: equal groups give an equal version on every run and every node with the
     * same devices; no groups give 0 like {@link SelectionSnapshot#EMPTY}. It is not an ordering:
     * consumers compare versions (or snapshots) for equality to skip no-op updates. SHA-256 over a
     * length-prefixed encoding, so distinct contents cannot collide by construction of the encoding,
     * only by a (2^-64) hash accident.
     */
    static long fingerprint(SortedMap<String, AnnouncementGroup> groups) {
        if (groups.isEmpty()) {
            return 0;
        }
        Fingerprint f = new Fingerprint();
        Map<SortedSet<String>, byte[]> candidateDigests = new HashMap<>();
        for (AnnouncementGroup g : groups.values()) {
            f.tag('G').string(g.leaseName());
            f.tag('S').integer(g.services().size());
            for (ServiceRef s : g.services()) {
                f.string(s.namespace()).string(s.name());
            }
            f.tag('A').integer(g.addresses().size());
            for (AddressOnInterfaces a : g.addresses()) {
                f.bytes(a.address().getAddress()).integer(a.interfaces().size());
                for (String i : a.interfaces()) {
                    f.string(i);
                }
            }
            // Candidate sets repeat across groups: hash each distinct set once, then its digest.
            byte[] c = candidateDigests.computeIfAbsent(g.candidates(), set -> {
                Fingerprint cf = new Fingerprint();
                cf.integer(set.size());
                for (String n : set) {
                    cf.string(n);
                }
                return cf.digest();
            });
            f.tag('C').bytes(c).tag(g.localCandidate() ? 'L' : 'l');
        }
        long v = ByteBuffer.wrap(f.digest()).getLong();
        return v == 0 ? 1 : v;
    }

    /** Length-prefixed encoding into SHA-256 through a reused buffer (no allocation per item). */
    private static final class Fingerprint {
        private final MessageDigest digest;
        private final byte[] buf = new byte[8192];
        private int pos;

        Fingerprint() {
            try {
                digest = MessageDigest.getInstance("SHA-256");
            } catch (NoSuchAlgorithmException e) {
                throw new IllegalStateException("SHA-256 is mandatory in every JDK", e);
            }
        }

        Fingerprint tag(char c) {
            room(1);
            buf[pos++] = (byte) c;
            return this;
        }

        Fingerprint integer(int v) {
            room(4);
            buf[pos++] = (byte) (v >>> 24);
            buf[pos++] = (byte) (v >>> 16);
            buf[pos++] = (byte) (v >>> 8);
            buf[pos++] = (byte) v;
            return this;
        }

        Fingerprint bytes(byte[] b) {
            integer(b.length);
            if (b.length > buf.length) {
                flush();
                digest.update(b);
                return this;
            }
            room(b.length);
            System.arraycopy(b, 0, buf, pos, b.length);
            pos += b.length;
            return this;
        }

        Fingerprint string(String s) {
            int n = s.length();
            boolean ascii = n <= buf.length;
            for (int i = 0; i < n && ascii; i++) {
                ascii = s.charAt(i) < 0x80;
            }
            if (!ascii) {
                return bytes(s.getBytes(StandardCharsets.UTF_8));
            }
            integer(n);
            room(n);
            for (int i = 0; i < n; i++) {
                buf[pos++] = (byte) s.charAt(i);
            }
            return this;
        }

        byte[] digest() {
            flush();
            return digest.digest();
        }

        private void room(int n) {
            if (pos + n > buf.length) {
                flush();
            }
        }

        private void flush() {
            digest.update(buf, 0, pos);
            pos = 0;
        }
    }
}
