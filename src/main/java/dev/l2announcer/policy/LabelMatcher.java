package dev.l2announcer.policy;

import java.util.Map;

/**
 * A compiled Kubernetes label selector: matchLabels AND matchExpressions with
 * In/NotIn/Exists/DoesNotExist; NotIn and DoesNotExist match a missing key
 * (k8s.io/apimachinery/pkg/labels/selector.go, Requirement.Matches).
 */
@FunctionalInterface
public interface LabelMatcher {
    boolean matches(Map<String, String> labels);

    LabelMatcher EVERYTHING = labels -> true;
    LabelMatcher NOTHING = labels -> false;
}
