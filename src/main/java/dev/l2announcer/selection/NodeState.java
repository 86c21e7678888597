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
        if (excludedByLabel()) {
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

    /**
     * The service controller's nodeIncludedPredicate: the label excludes unless its value parses
     * (Go strconv.ParseBool) as false; an unparsable value, including "", excludes.
     */
    private boolean excludedByLabel() {
        String v = labels.get(EXCLUDE_LABEL);
        if (v == null) {
            return false;
        }
        return switch (v) {
            case "0", "f", "F", "false", "FALSE", "False" -> false;
            default -> true;
        };
    }
}
