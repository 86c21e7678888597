package dev.l2announcer.selection;

import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * What selection needs of a Node, extracted from the API object.
 *
 * @param unschedulable      {@code spec.unschedulable} (cordoned)
 * @param ready              the {@code Ready} condition is {@code True}; false when False, Unknown or missing
 * @param networkUnavailable the {@code NetworkUnavailable} condition is {@code True}
 */
public record NodeState(String name, Map<String, String> labels, boolean unschedulable, boolean ready,
                        boolean networkUnavailable) {
    /**
     * Excludes the node by its presence, whatever its value ("false" included), as the service controller's
     * nodeIncludedPredicate ({@code _, has := node.Labels[v1.LabelNodeExcludeBalancers]; return !has}, also copied
     * into Cilium's operator pkg/nodeipam) and MetalLB's speaker do.
     */
    public static final String EXCLUDE_LABEL = "node.kubernetes.io/exclude-from-external-load-balancers";

    public NodeState {
        Objects.requireNonNull(name, "name");
        labels = Map.copyOf(labels);
    }

    /**
     * Why this node must not announce anything, or empty when it may. Cilium has no such rule; these
     * follow what Kubernetes' own service controller uses to pick load-balancer nodes
     * (k8s.io/cloud-provider controllers/service/controller.go: nodeIncludedPredicate,
     * nodeReadyPredicate), plus cordoned and NetworkUnavailable nodes.
     */
    public Optional<String> exclusion() {
        if (labels.containsKey(EXCLUDE_LABEL)) {
            return Optional.of("label " + EXCLUDE_LABEL);
        }
        if (unschedulable) {
            return Optional.of("cordoned");
        }
        if (!ready) {
            return Optional.of("NotReady");
        }
        if (networkUnavailable) {
            return Optional.of("NetworkUnavailable");
        }
        return Optional.empty();
    }

    public boolean eligible() {
        return exclusion().isEmpty();
    }
}
