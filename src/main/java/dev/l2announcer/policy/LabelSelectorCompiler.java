package dev.l2announcer.policy;

import io.fabric8.kubernetes.api.model.LabelSelector;
import io.fabric8.kubernetes.api.model.LabelSelectorRequirement;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * Compiles a LabelSelector the way Cilium does (its copy of apimachinery's
 * {@code LabelSelectorAsSelector}, cilium pkg/k8s/slim/k8s/apis/meta/v1/helpers.go, and
 * {@code labels.NewRequirement}, pkg/k8s/slim/k8s/apis/labels/selector.go) and renders errors
 * in Kubernetes' own words, so {@code kubectl describe} shows what Cilium would show.
 *
 * <p>One deliberate difference: Go iterates matchLabels in random order and returns the first
 * failing requirement, so with several bad matchLabels Cilium's message is not deterministic. We
 * visit keys in sorted order, so every agent computes the same message and status never flaps.
 */
final class LabelSelectorCompiler {

    /** Either a matcher or the error message; never both. */
    record Compiled(LabelMatcher matcher, String error) {
        boolean ok() {
            return error == null;
        }
    }

    // content.IsLabelKey / IsLabelValue / IsDNS1123Subdomain (k8s.io/apimachinery/pkg/api/validate/content).
    private static final String LABEL_KEY_FMT = "([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]";
    private static final String LABEL_KEY_ERR = "must consist of alphanumeric characters, '-', '_' or '.', "
            + "and must start and end with an alphanumeric character";
    private static final String LABEL_VALUE_FMT = "(" + LABEL_KEY_FMT + ")?";
    private static final String LABEL_VALUE_ERR = "a valid label must be an empty string or consist of alphanumeric "
            + "characters, '-', '_' or '.', and must start and end with an alphanumeric character";
    private static final String DNS1123_LABEL_FMT = "[a-z0-9]([-a-z0-9]*[a-z0-9])?";
    private static final String DNS1123_SUBDOMAIN_FMT = DNS1123_LABEL_FMT + "(\\." + DNS1123_LABEL_FMT + ")*";
    private static final String DNS1123_SUBDOMAIN_ERR = "a lowercase RFC 1123 subdomain must consist of lower case "
            + "alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character";
    private static final Pattern LABEL_KEY = Pattern.compile("^" + LABEL_KEY_FMT + "$");
    private static final Pattern LABEL_VALUE = Pattern.compile("^" + LABEL_VALUE_FMT + "$");
    private static final Pattern DNS1123_SUBDOMAIN = Pattern.compile("^" + DNS1123_SUBDOMAIN_FMT + "$");

    private LabelSelectorCompiler() {
    }

    /** A null selector selects everything (Cilium: "If nil this policy applies to all ..."). */
    static Compiled compile(LabelSelector selector) {
        if (selector == null) {
            return new Compiled(LabelMatcher.EVERYTHING, null);
        }
        Map<String, String> matchLabels = selector.getMatchLabels() == null ? Map.of() : selector.getMatchLabels();
        List<LabelSelectorRequirement> exprs =
                selector.getMatchExpressions() == null ? List.of() : selector.getMatchExpressions();
        if (matchLabels.isEmpty() && exprs.isEmpty()) {
            return new Compiled(LabelMatcher.EVERYTHING, null);
        }
        List<Requirement> reqs = new ArrayList<>();
        for (Map.Entry<String, String> e : new TreeMap<>(matchLabels).entrySet()) {
            String value = e.getValue() == null ? "" : e.getValue();
            String err = requirementErrors(e.getKey(), Op.EQUALS, List.of(value));
            if (err != null) {
                return new Compiled(null, err);
            }
            reqs.add(new Requirement(e.getKey(), Op.EQUALS, Set.of(value)));
        }
        for (LabelSelectorRequirement expr : exprs) {
            String key = expr.getKey() == null ? "" : expr.getKey();
            Op op = Op.fromSelectorOperator(expr.getOperator());
            if (op == null) {
                return new Compiled(null, GoFormat.quote(expr.getOperator() == null ? "" : expr.getOperator())
                        + " is not a valid label selector operator");
            }
            // Cilium copies values with append([]string(nil), ...): an empty list becomes nil.
            List<String> values = expr.getValues() == null ? List.of() : List.copyOf(expr.getValues());
            String err = requirementErrors(key, op, values);
            if (err != null) {
                return new Compiled(null, err);
            }
            reqs.add(new Requirement(key, op, new LinkedHashSet<>(values)));
        }
        List<Requirement> frozen = List.copyOf(reqs);
        return new Compiled(labels -> {
            for (Requirement r : frozen) {
                if (!r.matches(labels)) {
                    return false;
                }
            }
            return true;
        }, null);
    }

    enum Op { EQUALS, IN, NOT_IN, EXISTS, DOES_NOT_EXIST;

        static Op fromSelectorOperator(String s) {
            if (s == null) {
                return null;
            }
            return switch (s) {
                case "In" -> IN;
                case "NotIn" -> NOT_IN;
                case "Exists" -> EXISTS;
                case "DoesNotExist" -> DOES_NOT_EXIST;
                default -> null;
            };
        }
    }

    private record Requirement(String key, Op op, Set<String> values) {
        boolean matches(Map<String, String> labels) {
            boolean has = labels.containsKey(key);
            return switch (op) {
                case EQUALS, IN -> has && values.contains(labels.get(key));
                case NOT_IN -> !has || !values.contains(labels.get(key));
                case EXISTS -> has;
                case DOES_NOT_EXIST -> !has;
            };
        }
    }

    /** labels.NewRequirement's aggregated field.ErrorList, or null when valid. */
    static String requirementErrors(String key, Op op, List<String> vals) {
        List<String> errs = new ArrayList<>();
        List<String> keyErrs = labelKeyErrors(key);
        if (!keyErrs.isEmpty()) {
            errs.add(invalid("key", GoFormat.quote(key), String.join("; ", keyErrs)));
        }
        switch (op) {
            case IN, NOT_IN -> {
                if (vals.isEmpty()) {
                    errs.add(invalid("values", GoFormat.stringSlice(vals),
                            "for 'in', 'notin' operators, values set can't be empty"));
                }
            }
            case EQUALS -> {
                if (vals.size() != 1) {
                    errs.add(invalid("values", GoFormat.stringSlice(vals),
                            "exact-match compatibility requires one single value"));
                }
            }
            case EXISTS, DOES_NOT_EXIST -> {
                if (!vals.isEmpty()) {
                    errs.add(invalid("values", GoFormat.stringSlice(vals),
                            "values set must be empty for exists and does not exist"));
                }
            }
        }
        for (int i = 0; i < vals.size(); i++) {
            List<String> valueErrs = labelValueErrors(vals.get(i));
            if (!valueErrs.isEmpty()) {
                errs.add(invalid("values[" + i + "][" + key + "]", GoFormat.quote(vals.get(i)),
                        String.join("; ", valueErrs)));
            }
        }
        return aggregate(errs);
    }

    private static String invalid(String field, String renderedValue, String detail) {
        return field + ": Invalid value: " + renderedValue + ": " + detail;
    }

    /** utilerrors.aggregate.Error(): one error as is, several de-duplicated inside [a, b]. */
    private static String aggregate(List<String> errs) {
        LinkedHashSet<String> unique = new LinkedHashSet<>(errs);
        if (unique.isEmpty()) {
            return null;
        }
        if (unique.size() == 1) {
            return unique.getFirst();
        }
        return "[" + String.join(", ", unique) + "]";
    }

    /** content.IsLabelKey. Lengths are Go byte lengths. */
    static List<String> labelKeyErrors(String value) {
        List<String> errs = new ArrayList<>();
        String[] parts = value.split("/", -1);
        String name;
        switch (parts.length) {
            case 1 -> name = parts[0];
            case 2 -> {
                String prefix = parts[0];
                name = parts[1];
                if (prefix.isEmpty()) {
                    errs.add("prefix part must be non-empty");
                } else {
                    for (String m : dns1123SubdomainErrors(prefix)) {
                        errs.add("prefix part " + m);
                    }
                }
            }
            default -> {
                errs.add("a valid label key " + regexError(LABEL_KEY_ERR, LABEL_KEY_FMT, "MyName", "my.name", "123-abc")
                        + " with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')");
                return errs;
            }
        }
        if (name.isEmpty()) {
            errs.add("name part must be non-empty");
        } else if (byteLength(name) > 63) {
            errs.add("name part must be no more than 63 characters");
        }
        if (!LABEL_KEY.matcher(name).matches()) {
            errs.add("name part " + regexError(LABEL_KEY_ERR, LABEL_KEY_FMT, "MyName", "my.name", "123-abc"));
        }
        return errs;
    }

    /** content.IsLabelValue. */
    static List<String> labelValueErrors(String value) {
        List<String> errs = new ArrayList<>();
        if (byteLength(value) > 63) {
            errs.add("must be no more than 63 characters");
        }
        if (!LABEL_VALUE.matcher(value).matches()) {
            errs.add(regexError(LABEL_VALUE_ERR, LABEL_VALUE_FMT, "MyValue", "my_value", "12345"));
        }
        return errs;
    }

    private static List<String> dns1123SubdomainErrors(String value) {
        List<String> errs = new ArrayList<>();
        if (byteLength(value) > 253) {
            errs.add("must be no more than 253 characters");
        }
        if (!DNS1123_SUBDOMAIN.matcher(value).matches()) {
            errs.add(regexError(DNS1123_SUBDOMAIN_ERR, DNS1123_SUBDOMAIN_FMT, "example.com"));
        }
        return errs;
    }

    private static String regexError(String msg, String fmt, String... examples) {
        StringBuilder sb = new StringBuilder(msg).append(" (e.g. ");
        for (int i = 0; i < examples.length; i++) {
            if (i > 0) {
                sb.append(" or ");
            }
            sb.append('\'').append(examples[i]).append("', ");
        }
        return sb.append("regex used for validation is '").append(fmt).append("')").toString();
    }

    private static int byteLength(String s) {
        return s.getBytes(java.nio.charset.StandardCharsets.UTF_8).length;
    }
}
