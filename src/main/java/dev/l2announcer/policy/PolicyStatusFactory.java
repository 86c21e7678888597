package dev.l2announcer.policy;

import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.ConditionBuilder;

import java.time.Clock;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Builds a policy's status conditions in one place, following Cilium's rules
 * (cilium pkg/l2announcer/l2announcer.go, updatePolicyStatus): the three {@code io.cilium/bad-*}
 * types, reason {@code error}, status {@code True} with the error text while a problem exists,
 * {@code False} with an empty message once it is fixed, and no condition at all for a type that
 * never had a problem.
 *
 * <p>Unlike Cilium, which stamps {@code lastTransitionTime = now} on every update (so every agent
 * rewrites the status on every resync), {@code lastTransitionTime} only moves when the status flips.
 * That makes the result a pure function of (stored status, spec), identical on every node, which
 * is what lets {@link PolicyStatusWriter} skip writes and keeps agents from flapping.
 */
public final class PolicyStatusFactory {
    /** Cilium's reason string for all three condition types. */
    public static final String REASON = "error";

    private final Clock clock;

    public PolicyStatusFactory(Clock clock) {
        this.clock = clock;
    }

    /**
     * The status the policy should have. Conditions of other types (not ours) are kept as they are,
     * in their place; ours are updated in place or appended in {@link PolicyProblem#CONDITION_TYPES} order.
     */
    public L2AnnouncementPolicyStatus desired(L2AnnouncementPolicyStatus stored, ValidatedPolicy policy) {
        List<Condition> current = stored == null || stored.getConditions() == null ? List.of() : stored.getConditions();
        Map<String, String> problems = new LinkedHashMap<>();
        for (PolicyProblem p : policy.problems()) {
            problems.merge(p.conditionType(), p.message(), (a, b) -> a + "; " + b);
        }
        String now = DateTimeFormatter.ISO_INSTANT.format(clock.instant().truncatedTo(ChronoUnit.SECONDS));

        List<Condition> out = new ArrayList<>();
        List<String> seen = new ArrayList<>();
        for (Condition c : current) {
            if (!PolicyProblem.CONDITION_TYPES.contains(c.getType())) {
                out.add(c);
                continue;
            }
            if (seen.contains(c.getType())) {
                continue; // a list-map cannot hold duplicates; drop any stray copy
            }
            seen.add(c.getType());
            out.add(ours(c.getType(), problems.get(c.getType()), c, policy.generation(), now));
        }
        for (String type : PolicyProblem.CONDITION_TYPES) {
            if (!seen.contains(type) && problems.containsKey(type)) {
                out.add(ours(type, problems.get(type), null, policy.generation(), now));
            }
        }
        L2AnnouncementPolicyStatus status = new L2AnnouncementPolicyStatus();
        status.setConditions(out);
        return status;
    }

    private static Condition ours(String type, String problem, Condition previous, long generation, String now) {
        String status = problem == null ? "False" : "True";
        String since = previous != null && status.equals(previous.getStatus()) && previous.getLastTransitionTime() != null
                ? previous.getLastTransitionTime() : now;
        return new ConditionBuilder()
                .withType(type)
                .withStatus(status)
                .withReason(REASON)
                .withMessage(problem == null ? "" : problem)
                .withObservedGeneration(generation)
                .withLastTransitionTime(since)
                .build();
    }

    /** Whether two statuses carry the same conditions (null and empty are the same). */
    public static boolean same(L2AnnouncementPolicyStatus a, L2AnnouncementPolicyStatus b) {
        return Objects.equals(conditions(a), conditions(b));
    }

    private static List<Condition> conditions(L2AnnouncementPolicyStatus s) {
        return s == null || s.getConditions() == null ? List.of() : s.getConditions();
    }
}
