package dev.l2announcer.deploy;

import io.fabric8.kubernetes.api.model.rbac.ClusterRole;
import io.fabric8.kubernetes.api.model.rbac.ClusterRoleBinding;
import io.fabric8.kubernetes.api.model.rbac.PolicyRule;
import io.fabric8.kubernetes.api.model.rbac.Role;
import io.fabric8.kubernetes.api.model.rbac.RoleBinding;
import io.fabric8.kubernetes.api.model.rbac.Subject;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * The permissions a set of manifests gives the agent's ServiceAccount, flattened to
 * (scope, apiGroup, resource, verb) so they can be compared with an exact allowed set.
 * Only roles actually bound to the ServiceAccount count; anything the flattening cannot
 * represent exactly (wildcards, nonResourceURLs, aggregation) is reported as a violation.
 */
record RbacGrants(Set<Grant> cluster, Set<Grant> namespaced, List<String> violations) {

    record Grant(String apiGroup, String resource, String verb) implements Comparable<Grant> {
        @Override
        public int compareTo(Grant o) {
            return toString().compareTo(o.toString());
        }

        @Override
        public String toString() {
            return (apiGroup.isEmpty() ? "core" : apiGroup) + "/" + resource + ":" + verb;
        }
    }

    static RbacGrants of(Manifests manifests, String serviceAccount) {
        Set<Grant> cluster = new TreeSet<>();
        Set<Grant> namespaced = new TreeSet<>();
        List<String> violations = new ArrayList<>();

        for (ClusterRole role : manifests.all(ClusterRole.class)) {
            if (role.getAggregationRule() != null) {
                violations.add("ClusterRole " + role.getMetadata().getName() + " aggregates other roles");
            }
        }
        for (ClusterRoleBinding binding : manifests.all(ClusterRoleBinding.class)) {
            if (!bindsOnly(binding.getSubjects(), serviceAccount, violations, binding.getMetadata().getName())) {
                continue;
            }
            if (!"ClusterRole".equals(binding.getRoleRef().getKind())) {
                violations.add("ClusterRoleBinding " + binding.getMetadata().getName() + " refers to a "
                        + binding.getRoleRef().getKind());
                continue;
            }
            ClusterRole role = manifests.one(ClusterRole.class, binding.getRoleRef().getName());
            flatten(role.getRules(), cluster, violations, "ClusterRole " + role.getMetadata().getName());
        }
        for (RoleBinding binding : manifests.all(RoleBinding.class)) {
            if (!bindsOnly(binding.getSubjects(), serviceAccount, violations, binding.getMetadata().getName())) {
                continue;
            }
            List<PolicyRule> rules = switch (binding.getRoleRef().getKind()) {
                case "Role" -> manifests.one(Role.class, binding.getRoleRef().getName()).getRules();
                case "ClusterRole" -> manifests.one(ClusterRole.class, binding.getRoleRef().getName()).getRules();
                default -> {
                    violations.add("RoleBinding " + binding.getMetadata().getName() + " refers to "
                            + binding.getRoleRef().getKind());
                    yield List.of();
                }
            };
            flatten(rules, namespaced, violations, "RoleBinding " + binding.getMetadata().getName());
        }
        return new RbacGrants(cluster, namespaced, List.copyOf(violations));
    }

    private static boolean bindsOnly(List<Subject> subjects, String serviceAccount, List<String> violations,
                                     String binding) {
        boolean ours = false;
        for (Subject s : subjects == null ? List.<Subject>of() : subjects) {
            if ("ServiceAccount".equals(s.getKind()) && serviceAccount.equals(s.getName())) {
                ours = true;
            } else {
                violations.add("binding " + binding + " also grants to " + s.getKind() + " " + s.getName());
            }
        }
        return ours;
    }

    private static void flatten(List<PolicyRule> rules, Set<Grant> into, List<String> violations, String where) {
        for (PolicyRule rule : rules == null ? List.<PolicyRule>of() : rules) {
            if (rule.getNonResourceURLs() != null && !rule.getNonResourceURLs().isEmpty()) {
                violations.add(where + " grants nonResourceURLs " + rule.getNonResourceURLs());
            }
            for (String group : nonNull(rule.getApiGroups())) {
                for (String resource : nonNull(rule.getResources())) {
                    for (String verb : nonNull(rule.getVerbs())) {
                        if (group.contains("*") || resource.contains("*") || verb.contains("*")) {
                            violations.add(where + " uses a wildcard: " + group + "/" + resource + ":" + verb);
                        }
                        into.add(new Grant(group, resource, verb));
                    }
                }
            }
        }
    }

    private static List<String> nonNull(List<String> values) {
        return values == null ? List.of() : values;
    }
}
