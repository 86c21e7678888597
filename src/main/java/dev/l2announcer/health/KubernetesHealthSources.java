package dev.l2announcer.health;

import dev.l2announcer.selection.LeaseNames;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * The health monitor's Kubernetes inputs: announcement Leases (holder + published MACs) and Nodes
 * (InternalIPs), each from an informer cache, so a probe round costs no API request.
 */
public final class KubernetesHealthSources implements AutoCloseable {
    private static final String LEASE_PREFIX = LeaseNames.NAME_PREFIX;

    private final SharedIndexInformer<Lease> leases;
    private final SharedIndexInformer<Node> nodes;
    private final String selfNode;
    private final boolean owned;

    private KubernetesHealthSources(SharedIndexInformer<Lease> leases, SharedIndexInformer<Node> nodes, String selfNode,
                                    boolean owned) {
        this.leases = leases;
        this.nodes = nodes;
        this.selfNode = selfNode;
        this.owned = owned;
    }

    /** Starts its own two informers (Leases in {@code leaseNamespace}, all Nodes); {@link #close()} stops them. */
    public static KubernetesHealthSources start(KubernetesClient client, String leaseNamespace, String selfNode) {
        SharedIndexInformer<Lease> l = client.leases().inNamespace(leaseNamespace).inform();
        SharedIndexInformer<Node> n;
        try {
            n = client.nodes().inform();
        } catch (RuntimeException e) {
            l.stop();
            throw e;
        }
        return new KubernetesHealthSources(l, n, selfNode, true);
    }

    /** Over informers the agent already runs (not stopped by {@link #close()}). */
    public static KubernetesHealthSources over(SharedIndexInformer<Lease> leases, SharedIndexInformer<Node> nodes,
                                               String selfNode) {
        return new KubernetesHealthSources(leases, nodes, selfNode, false);
    }

    public LeaseHolders leases() {
        return () -> {
            Map<String, ObservedLease> out = new HashMap<>();
            for (Lease l : leases.getStore().list()) {
                String name = l.getMetadata().getName();
                if (name == null || !name.startsWith(LEASE_PREFIX)) {
                    continue;
                }
                String holder = l.getSpec() == null ? null : l.getSpec().getHolderIdentity();
                out.put(name, ObservedLease.of(name, holder, l.getMetadata().getAnnotations()));
            }
            return out;
        };
    }

    public Supplier<List<NodeTarget>> nodes() {
        return () -> NodeTarget.fromNodes(nodes.getStore().list(), selfNode);
    }

    @Override
    public void close() {
        if (owned) {
            leases.stop();
            nodes.stop();
        }
    }
}
