package dev.l2announcer.selection;

import io.fabric8.kubernetes.api.model.LoadBalancerIngress;
import io.fabric8.kubernetes.api.model.LoadBalancerStatus;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeCondition;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceSpec;
import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.fabric8.kubernetes.api.model.discovery.v1.Endpoint;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointConditions;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;

import java.net.InetAddress;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** Extracts the plain records selection works on from fabric8 API objects (no I/O). */
public final class KubernetesInputs {
    /** The label the EndpointSlice controller sets to the owning Service's name. */
    public static final String SERVICE_NAME_LABEL = dev.l2announcer.kubernetes.SharedInformers.SERVICE_NAME_LABEL;

    private KubernetesInputs() {
    }

    public static ServiceState service(Service s) {
        ObjectMeta meta = s.getMetadata();
        ServiceSpec spec = s.getSpec();
        List<InetAddress> external = new ArrayList<>();
        String cls = null;
        boolean local = false;
        if (spec != null) {
            cls = spec.getLoadBalancerClass();
            local = "Local".equals(spec.getExternalTrafficPolicy());
            if (spec.getExternalIPs() != null) {
                for (String ip : spec.getExternalIPs()) {
                    IpLiterals.parse(ip).ifPresent(external::add);
                }
            }
        }
        List<InetAddress> ingress = new ArrayList<>();
        LoadBalancerStatus lb = s.getStatus() == null ? null : s.getStatus().getLoadBalancer();
        if (lb != null && lb.getIngress() != null) {
            for (LoadBalancerIngress i : lb.getIngress()) {
                // Hostname-only entries are skipped like Cilium does (desiredEntries: ingress.IP == "")
                IpLiterals.parse(i.getIp()).ifPresent(ingress::add);
            }
        }
        return new ServiceState(new ServiceRef(meta.getNamespace(), meta.getName()), labels(meta), cls,
                external, ingress, local);
    }

    public static NodeState node(Node n) {
        boolean ready = false;
        boolean networkUnavailable = false;
        if (n.getStatus() != null && n.getStatus().getConditions() != null) {
            for (NodeCondition c : n.getStatus().getConditions()) {
                if ("Ready".equals(c.getType())) {
                    ready = "True".equals(c.getStatus());
                } else if ("NetworkUnavailable".equals(c.getType())) {
                    networkUnavailable = "True".equals(c.getStatus());
                }
            }
        }
        boolean unschedulable = n.getSpec() != null && Boolean.TRUE.equals(n.getSpec().getUnschedulable());
        return new NodeState(n.getMetadata().getName(), labels(n.getMetadata()), unschedulable, ready,
                networkUnavailable);
    }

    /**
     * Per Service, the nodes running its endpoints, by condition, read as kube-proxy reads them
     * (kubernetes pkg/proxy/endpointslicecache.go): ready is {@code conditions.ready} true or unset (the
     * EndpointSlice API: a nil ready "should be interpreted as ready"; the controller sets it false for
     * terminating endpoints), serving is {@code conditions.serving} true or unset, terminating is
     * {@code conditions.terminating} true. An endpoint that is not ready counts as serving+terminating only when
     * it is both. Endpoints without a node name make no node a candidate.
     */
    public static Map<ServiceRef, EndpointNodes> endpointNodes(Collection<EndpointSlice> slices) {
        Map<ServiceRef, Set<String>> ready = new HashMap<>();
        Map<ServiceRef, Set<String>> terminating = new HashMap<>();
        for (EndpointSlice slice : slices) {
            ServiceRef owner = owner(slice);
            if (owner == null) {
                continue;
            }
            Set<String> readyNodes = ready.computeIfAbsent(owner, k -> new HashSet<>());
            Set<String> terminatingNodes = terminating.computeIfAbsent(owner, k -> new HashSet<>());
            if (slice.getEndpoints() == null) {
                continue;
            }
            for (Endpoint e : slice.getEndpoints()) {
                if (e.getNodeName() == null || e.getNodeName().isEmpty()) {
                    continue;
                }
                EndpointConditions c = e.getConditions();
                boolean isReady = c == null || c.getReady() == null || c.getReady();
                boolean isServing = c == null || c.getServing() == null || c.getServing();
                boolean isTerminating = c != null && Boolean.TRUE.equals(c.getTerminating());
                if (isReady) {
                    readyNodes.add(e.getNodeName());
                } else if (isServing && isTerminating) {
                    terminatingNodes.add(e.getNodeName());
                }
            }
        }
        Map<ServiceRef, EndpointNodes> out = new HashMap<>();
        ready.forEach((svc, nodes) -> out.put(svc, new EndpointNodes(nodes, terminating.get(svc))));
        return out;
    }

    /**
     * An announcement Lease ({@link LeaseNames#NAME_PREFIX}), or null for any other Lease of the namespace.
     * An unparsable creationTimestamp counts as unknown.
     */
    public static ExistingLease lease(Lease lease) {
        ObjectMeta meta = lease.getMetadata();
        if (meta == null || meta.getName() == null || !meta.getName().startsWith(LeaseNames.NAME_PREFIX)) {
            return null;
        }
        Instant created = null;
        if (meta.getCreationTimestamp() != null) {
            try {
                created = Instant.parse(meta.getCreationTimestamp());
            } catch (DateTimeParseException e) {
                created = null;
            }
        }
        String recorded = meta.getAnnotations() == null ? null : meta.getAnnotations().get(LeaseAddresses.KEY);
        return new ExistingLease(meta.getName(), created, LeaseAddresses.decode(recorded));
    }

    /** The Service an EndpointSlice belongs to, or null for slices not managed for a Service. */
    private static ServiceRef owner(EndpointSlice slice) {
        ObjectMeta meta = slice.getMetadata();
        if (meta == null || meta.getLabels() == null) {
            return null;
        }
        String svc = meta.getLabels().get(SERVICE_NAME_LABEL);
        if (svc == null || svc.isEmpty() || meta.getNamespace() == null) {
            return null;
        }
        return new ServiceRef(meta.getNamespace(), svc);
    }

    private static Map<String, String> labels(ObjectMeta meta) {
        if (meta == null || meta.getLabels() == null) {
            return Map.of();
        }
        Map<String, String> out = new HashMap<>();
        meta.getLabels().forEach((k, v) -> {
            if (k != null && v != null) {
                out.put(k, v);
            }
        });
        return out;
    }
}
