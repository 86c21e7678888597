package dev.l2announcer.policy;

import io.fabric8.kubernetes.api.model.LabelSelector;
import io.fabric8.kubernetes.api.model.LabelSelectorBuilder;
import io.fabric8.kubernetes.api.model.LabelSelectorRequirement;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

class PolicyValidatorTest {

    static CiliumL2AnnouncementPolicy policy(LabelSelector service, LabelSelector node, List<String> interfaces) {
        var p = new CiliumL2AnnouncementPolicy();
        p.setMetadata(new ObjectMetaBuilder().withName("policy1").withGeneration(3L).build());
        var spec = new L2AnnouncementPolicySpec();
        spec.setServiceSelector(service);
        spec.setNodeSelector(node);
        spec.setInterfaces(interfaces);
        spec.setExternalIPs(true);
        spec.setLoadBalancerIPs(true);
        p.setSpec(spec);
        return p;
    }

    static LabelSelector expr(String key, String op, String... values) {
        return new LabelSelectorBuilder().withMatchExpressions(
                new LabelSelectorRequirement(key, op, values == null ? null : Arrays.asList(values))).build();
    }

    static LabelSelector labels(Map<String, String> m) {
        return new LabelSelectorBuilder().withMatchLabels(m).build();
    }

    // ---- selector semantics ---------------------------------------------------------------------

    static Stream<Arguments> matching() {
        Map<String, String> blue = Map.of("color", "blue", "tier", "web");
        Map<String, String> none = Map.of();
        return Stream.of(
                Arguments.of("null selects all", null, blue, true),
                Arguments.of("null selects all (no labels)", null, none, true),
                Arguments.of("empty selector selects all", new LabelSelector(), none, true),
                Arguments.of("matchLabels hit", labels(Map.of("color", "blue")), blue, true),
                Arguments.of("matchLabels miss", labels(Map.of("color", "red")), blue, false),
                Arguments.of("matchLabels missing key", labels(Map.of("color", "blue")), none, false),
                Arguments.of("matchLabels AND", labels(Map.of("color", "blue", "tier", "db")), blue, false),
                Arguments.of("In hit", expr("color", "In", "red", "blue"), blue, true),
                Arguments.of("In miss", expr("color", "In", "red"), blue, false),
                Arguments.of("In missing key", expr("color", "In", "red"), none, false),
                Arguments.of("NotIn hit", expr("color", "NotIn", "red"), blue, true),
                Arguments.of("NotIn miss", expr("color", "NotIn", "blue"), blue, false),
                Arguments.of("NotIn matches missing key", expr("color", "NotIn", "blue"), none, true),
                Arguments.of("Exists", expr("color", "Exists"), blue, true),
                Arguments.of("Exists missing", expr("color", "Exists"), none, false),
                Arguments.of("DoesNotExist present", expr("color", "DoesNotExist"), blue, false),
                Arguments.of("DoesNotExist missing", expr("color", "DoesNotExist"), none, true),
                Arguments.of("matchLabels AND matchExpressions",
                        new LabelSelectorBuilder().withMatchLabels(Map.of("color", "blue"))
                                .withMatchExpressions(new LabelSelectorRequirement("tier", "NotIn", List.of("web")))
                                .build(), blue, false),
                Arguments.of("empty label value", labels(Map.of("color", "")), Map.of("color", ""), true));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("matching")
    void selectorSemantics(String name, LabelSelector selector, Map<String, String> labels, boolean expected) {
        ValidatedPolicy v = PolicyValidator.validate(policy(selector, selector, null));
        assertThat(v.problems()).isEmpty();
        assertThat(v.usable()).isTrue();
        assertThat(v.serviceSelector().matches(labels)).isEqualTo(expected);
        assertThat(v.nodeSelector().matches(labels)).isEqualTo(expected);
    }

    // ---- selector errors, in Kubernetes' wording ---------------------------------------------------

    static Stream<Arguments> selectorErrors() {
        String valueRule = "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' "
                + "or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  "
                + "or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')";
        String keyRule = "name part must consist of alphanumeric characters, '-', '_' or '.', and must start and "
                + "end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for "
                + "validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')";
        return Stream.of(
                Arguments.of(expr("something", "NotIn"),
                        "values: Invalid value: []string(nil): for 'in', 'notin' operators, values set can't be empty"),
                Arguments.of(expr("something", "In", new String[0]),
                        "values: Invalid value: []string(nil): for 'in', 'notin' operators, values set can't be empty"),
                Arguments.of(expr("color", "Exists", "blue"),
                        "values: Invalid value: []string{\"blue\"}: values set must be empty for exists and does not exist"),
                Arguments.of(expr("color", "DoesNotExist", "a", "b"),
                        "values: Invalid value: []string{\"a\", \"b\"}: values set must be empty for exists and does not exist"),
                Arguments.of(expr("color", "in", "blue"), "\"in\" is not a valid label selector operator"),
                Arguments.of(expr("color", "Gt", "1"), "\"Gt\" is not a valid label selector operator"),
                Arguments.of(expr("bad key", "Exists"), "key: Invalid value: \"bad key\": " + keyRule),
                Arguments.of(expr("-x", "Exists"), "key: Invalid value: \"-x\": " + keyRule),
                Arguments.of(expr("", "Exists"), "key: Invalid value: \"\": name part must be non-empty; " + keyRule),
                Arguments.of(expr("a/b/c", "Exists"), "key: Invalid value: \"a/b/c\": a valid label key must consist "
                        + "of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric "
                        + "character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is "
                        + "'([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]') with an optional DNS subdomain prefix and '/' "
                        + "(e.g. 'example.com/MyName')"),
                Arguments.of(expr("Example.com/x", "Exists"), "key: Invalid value: \"Example.com/x\": prefix part a "
                        + "lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', "
                        + "and must start and end with an alphanumeric character (e.g. 'example.com', regex used for "
                        + "validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')"),
                Arguments.of(expr("color", "In", "blue sky"),
                        "values[0][color]: Invalid value: \"blue sky\": " + valueRule),
                Arguments.of(labels(Map.of("color", "a\tb")),
                        "values[0][color]: Invalid value: \"a\\tb\": " + valueRule),
                Arguments.of(labels(Map.of("color", "x".repeat(64))),
                        "values[0][color]: Invalid value: \"" + "x".repeat(64) + "\": must be no more than 63 characters"),
                // Several problems in one requirement are aggregated as apimachinery does.
                Arguments.of(expr("bad key", "NotIn"), "[key: Invalid value: \"bad key\": " + keyRule
                        + ", values: Invalid value: []string(nil): for 'in', 'notin' operators, values set can't be empty]"),
                // Several bad matchLabels: the first in key order wins, the same on every agent.
                Arguments.of(labels(Map.of("zz", "bad value", "aa", "also bad")),
                        "values[0][aa]: Invalid value: \"also bad\": " + valueRule));
    }

    @ParameterizedTest(name = "{1}")
    @MethodSource("selectorErrors")
    void selectorErrorsUseKubernetesWording(LabelSelector bad, String message) {
        ValidatedPolicy asService = PolicyValidator.validate(policy(bad, null, null));
        assertThat(asService.problems()).containsExactly(new PolicyProblem(PolicyProblem.BAD_SERVICE_SELECTOR, message));
        assertThat(asService.usable()).isFalse();
        assertThat(asService.serviceSelector().matches(Map.of())).isFalse();
        assertThat(asService.serviceSelector().matches(Map.of("color", "blue"))).isFalse();
        assertThat(asService.nodeSelector().matches(Map.of())).isTrue();

        ValidatedPolicy asNode = PolicyValidator.validate(policy(null, bad, null));
        assertThat(asNode.problems()).containsExactly(new PolicyProblem(PolicyProblem.BAD_NODE_SELECTOR, message));
        assertThat(asNode.usable()).isFalse();
        assertThat(asNode.nodeSelector().matches(Map.of())).isFalse();
        assertThat(asNode.serviceSelector().matches(Map.of())).isTrue();
    }

    // ---- interfaces ------------------------------------------------------------------------------

    @Test
    void interfaceRegexesUseGoFindSemanticsAndAreOred() {
        ValidatedPolicy v = PolicyValidator.validate(policy(null, null, List.of("^eth[0-9]+", "bond")));
        assertThat(v.problems()).isEmpty();
        assertThat(v.matchesInterface("eth0")).isTrue();
        assertThat(v.matchesInterface("eth12.100")).isTrue(); // unanchored end, like Go's MatchString
        assertThat(v.matchesInterface("veth0")).isFalse();
        assertThat(v.matchesInterface("xbond0")).isTrue();    // unanchored, like Go's MatchString
        assertThat(v.matchesInterface("lo")).isFalse();
    }

    @Test
    void noInterfacesSelectsAll() {
        assertThat(PolicyValidator.validate(policy(null, null, null)).matchesInterface("anything")).isTrue();
        assertThat(PolicyValidator.validate(policy(null, null, List.of())).matchesInterface("anything")).isTrue();
    }

    @Test
    void badRegexNamesEntryIndexTextAndReason() {
        ValidatedPolicy v = PolicyValidator.validate(policy(null, null, List.of("eth0", "eth[", "a**")));
        assertThat(v.problems()).containsExactly(new PolicyProblem(PolicyProblem.BAD_INTERFACE_REGEX,
                "interfaces[1] \"eth[\": error parsing regexp: missing closing ]: `[`; "
                        + "interfaces[2] \"a**\": error parsing regexp: invalid nested repetition operator: `**`"));
        assertThat(v.usable()).isFalse();
        assertThat(v.matchesInterface("eth0")).isFalse();
    }

    @Test
    void allThreeProblemsAreReportedTogether() {
        ValidatedPolicy v = PolicyValidator.validate(policy(expr("a", "In"), expr("b", "Bogus"), List.of("(")));
        assertThat(v.problems()).extracting(PolicyProblem::conditionType).containsExactly(
                PolicyProblem.BAD_SERVICE_SELECTOR, PolicyProblem.BAD_NODE_SELECTOR, PolicyProblem.BAD_INTERFACE_REGEX);
        assertThat(v.name()).isEqualTo("policy1");
        assertThat(v.generation()).isEqualTo(3);
    }

    @Test
    void ciliumDocumentationExampleIsValid() {
        // The example "using all optional fields" from Cilium's L2 announcements documentation.
        ValidatedPolicy v = PolicyValidator.validate(policy(labels(Map.of("color", "blue")),
                expr("node-role.kubernetes.io/control-plane", "DoesNotExist"), List.of("^eth[0-9]+")));
        assertThat(v.problems()).isEmpty();
        assertThat(v.usable()).isTrue();
        assertThat(v.externalIPs()).isTrue();
        assertThat(v.loadBalancerIPs()).isTrue();
        assertThat(v.serviceSelector().matches(Map.of("color", "blue"))).isTrue();
        assertThat(v.nodeSelector().matches(Map.of("node-role.kubernetes.io/control-plane", ""))).isFalse();
        assertThat(v.nodeSelector().matches(Map.of("kubernetes.io/hostname", "w1"))).isTrue();
    }

    @Test
    void ipFlagsDefaultToFalse() {
        var p = policy(null, null, null);
        p.getSpec().setExternalIPs(null);
        p.getSpec().setLoadBalancerIPs(null);
        ValidatedPolicy v = PolicyValidator.validate(p);
        assertThat(v.externalIPs()).isFalse();
        assertThat(v.loadBalancerIPs()).isFalse();
        assertThat(v.usable()).isTrue();
    }

    @Test
    void manyRegexesAndPathologicalPatternValidateAndMatchInLinearTime() {
        List<String> regexes = new ArrayList<>();
        for (int i = 0; i < 199; i++) {
            regexes.add("^ens" + i + "(\\.[0-9]+)?$");
        }
        regexes.add("(a+)+$");
        ValidatedPolicy v = PolicyValidator.validate(policy(null, null, regexes));
        assertThat(v.problems()).isEmpty();
        assertThat(v.interfaces()).hasSize(200);
        // Catastrophic for a backtracking engine (2^n paths); RE2/J answers in linear time.
        String hostile = "a".repeat(5_000) + "!";
        assertThat(v.matchesInterface(hostile)).isFalse();
        assertThat(v.matchesInterface("a".repeat(5_000))).isTrue();
        assertThat(v.matchesInterface("ens42.7")).isTrue();
    }
}
