package dev.l2announcer.policy;

import com.google.re2j.Pattern;

import java.util.List;

/**
 * A policy after validation: compiled selectors and interface regexes plus the problems found.
 *
 * @param serviceSelector selects all when the spec's selector is null; selects nothing when invalid
 * @param nodeSelector    selects all when the spec's selector is null; selects nothing when invalid
 * @param interfaces      compiled RE2/J patterns of the valid entries; empty = all interfaces
 * @param problems        empty when the policy is valid
 */
public record ValidatedPolicy(String name, long generation,
                              LabelMatcher serviceSelector,
                              LabelMatcher nodeSelector,
                              List<Pattern> interfaces,
                              boolean externalIPs, boolean loadBalancerIPs,
                              List<PolicyProblem> problems) {

    public ValidatedPolicy {
        interfaces = List.copyOf(interfaces);
        problems = List.copyOf(problems);
    }

    /**
     * Whether the policy selects the interface {@code name}. Cilium OR-s the regexes and uses Go's
     * {@code regexp.MatchString}, which is an unanchored search ("find"), not a full match:
     * {@code eth} matches {@code veth0}; write {@code ^eth[0-9]+$} to anchor
     * (cilium pkg/l2announcer/l2announcer.go, upsertPolicy: {@code regex.MatchString(device)}).
     * An invalid regex list selects no interface.
     */
    public boolean matchesInterface(String name) {
        if (hasProblem(PolicyProblem.BAD_INTERFACE_REGEX)) {
            return false;
        }
        if (interfaces.isEmpty()) {
            return true;
        }
        for (Pattern p : interfaces) {
            if (p.matcher(name).find()) {
                return true;
            }
        }
        return false;
    }

    /**
     * False when Cilium would ignore the policy. Cilium's upsertPolicy returns an error before
     * storing the policy in selectedPolicies for each of the three problem kinds (bad node selector,
     * any bad interface regex, bad service selector), so any problem makes the whole policy
     * unusable (cilium pkg/l2announcer/l2announcer.go, upsertPolicy).
     */
    public boolean usable() {
        return problems.isEmpty();
    }

    private boolean hasProblem(String type) {
        for (PolicyProblem p : problems) {
            if (p.conditionType().equals(type)) {
                return true;
            }
        }
        return false;
    }
}
