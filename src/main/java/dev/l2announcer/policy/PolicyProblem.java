package dev.l2announcer.policy;

import java.util.List;

/**
 * One reason a policy is invalid, reported as a status condition of {@link #conditionType()}.
 *
 * @param conditionType one of {@link #BAD_SERVICE_SELECTOR}, {@link #BAD_NODE_SELECTOR}, {@link #BAD_INTERFACE_REGEX}
 * @param message       human-readable cause (Kubernetes' own wording for selectors, RE2's for regexes)
 */
public record PolicyProblem(String conditionType, String message) {
    /** The condition types Cilium's agent writes (pkg/l2announcer/l2announcer.go, upsertPolicy). */
    public static final String BAD_SERVICE_SELECTOR = "io.cilium/bad-service-selector";
    public static final String BAD_NODE_SELECTOR = "io.cilium/bad-node-selector";
    public static final String BAD_INTERFACE_REGEX = "io.cilium/bad-interface-regex";
    /** All condition types this agent owns, in the order they are written to status. */
    public static final List<String> CONDITION_TYPES =
            List.of(BAD_SERVICE_SELECTOR, BAD_NODE_SELECTOR, BAD_INTERFACE_REGEX);

    public PolicyProblem {
        if (!CONDITION_TYPES.contains(conditionType)) {
            throw new IllegalArgumentException("unknown condition type " + conditionType);
        }
        if (message == null || message.isEmpty()) {
            throw new IllegalArgumentException("a problem needs a message");
        }
    }
}
