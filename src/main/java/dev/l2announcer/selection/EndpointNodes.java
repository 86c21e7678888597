package dev.l2announcer.selection;

import java.util.Set;

/**
 * Where the endpoints of one Service run, as {@code externalTrafficPolicy: Local} needs it.
 *
 * @param ready              nodes with at least one ready endpoint
 * @param servingTerminating nodes with at least one endpoint that is serving and terminating (a Pod in its
 *                           grace period that still passes its readiness probe)
 */
public record EndpointNodes(Set<String> ready, Set<String> servingTerminating) {
    public static final EndpointNodes NONE = new EndpointNodes(Set.of(), Set.of());

    public EndpointNodes {
        ready = Set.copyOf(ready);
        servingTerminating = Set.copyOf(servingTerminating);
    }

    /**
     * The nodes that may announce a Local Service: those with a ready endpoint; only when there is none in the
     * whole Service, those with a serving and terminating one. kube-proxy forwards Local traffic to a node's
     * serving+terminating endpoints when the node has no ready one (KEP-1669; kubernetes
     * pkg/proxy/topology.go, CategorizeEndpoints: hasLocalReadyEndpoints / hasLocalServingTerminatingEndpoints),
     * so such a node still delivers during the grace period; while any node has a ready endpoint, announcing
     * from a draining node would pull traffic to Pods that are going away.
     */
    public Set<String> announcing() {
        return ready.isEmpty() ? servingTerminating : ready;
    }
}
