package dev.l2announcer.policy;

import com.google.re2j.Pattern;
import com.google.re2j.PatternSyntaxException;

import java.util.ArrayList;
import java.util.List;

/**
 * Validates a policy the way Cilium's agent does (cilium pkg/l2announcer/l2announcer.go, upsertPolicy):
 * selectors through LabelSelectorAsSelector, interface entries through Go's regexp.Compile (RE2/J
 * accepts the same syntax and is linear-time, so no entry can stall the agent).
 *
 * <p>Unlike Cilium, which stops at the first problem (a bad node selector hides a bad regex), all three
 * aspects are checked every time, so the status lists every problem at once.
 */
public final class PolicyValidator {
    private PolicyValidator() {
    }

    public static ValidatedPolicy validate(CiliumL2AnnouncementPolicy policy) {
        String name = policy.getMetadata() == null ? null : policy.getMetadata().getName();
        Long gen = policy.getMetadata() == null ? null : policy.getMetadata().getGeneration();
        L2AnnouncementPolicySpec spec = policy.getSpec() == null ? new L2AnnouncementPolicySpec() : policy.getSpec();
        List<PolicyProblem> problems = new ArrayList<>();

        LabelSelectorCompiler.Compiled service = LabelSelectorCompiler.compile(spec.getServiceSelector());
        if (!service.ok()) {
            problems.add(new PolicyProblem(PolicyProblem.BAD_SERVICE_SELECTOR, service.error()));
        }
        LabelSelectorCompiler.Compiled node = LabelSelectorCompiler.compile(spec.getNodeSelector());
        if (!node.ok()) {
            problems.add(new PolicyProblem(PolicyProblem.BAD_NODE_SELECTOR, node.error()));
        }

        List<Pattern> patterns = new ArrayList<>();
        List<String> regexErrors = new ArrayList<>();
        List<String> entries = spec.getInterfaces() == null ? List.of() : spec.getInterfaces();
        for (int i = 0; i < entries.size(); i++) {
            String entry = entries.get(i) == null ? "" : entries.get(i);
            try {
                patterns.add(Pattern.compile(entry));
            } catch (PatternSyntaxException e) {
                regexErrors.add("interfaces[" + i + "] " + GoFormat.quote(entry) + ": " + e.getMessage());
            }
        }
        if (!regexErrors.isEmpty()) {
            problems.add(new PolicyProblem(PolicyProblem.BAD_INTERFACE_REGEX, String.join("; ", regexErrors)));
        }

        return new ValidatedPolicy(name, gen == null ? 0 : gen,
                service.ok() ? service.matcher() : LabelMatcher.NOTHING,
                node.ok() ? node.matcher() : LabelMatcher.NOTHING,
                patterns,
                Boolean.TRUE.equals(spec.getExternalIPs()),
                Boolean.TRUE.equals(spec.getLoadBalancerIPs()),
                problems);
    }
}
