package dev.l2announcer.config;

import com.google.re2j.PatternSyntaxException;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * Builds {@link AgentConfig} from, in increasing precedence: a directory of files (a mounted
 * {@code cilium-config} ConfigMap: file name = key, trimmed content = value; Kubernetes' {@code ..data}
 * entries and unknown keys are ignored, as a cilium-config holds many keys this agent does not use),
 * environment variables (the key upper-cased with '-' turned into '_', e.g.
 * {@code L2_ANNOUNCEMENTS_LEASE_DURATION}) and command-line flags {@code --key=value} (a bare
 * {@code --flag} means true; an unknown flag is an error). The directory is {@code config-dir} from
 * the flags or the environment. Values are validated once; the first invalid one stops the agent with
 * a {@link ConfigException} naming the key, the value, its source and the rule.
 */
public final class AgentConfigLoader {
    public static final String ENABLE_L2_ANNOUNCEMENTS = "enable-l2-announcements";
    public static final String LEASE_DURATION = "l2-announcements-lease-duration";
    public static final String RENEW_DEADLINE = "l2-announcements-renew-deadline";
    public static final String RETRY_PERIOD = "l2-announcements-retry-period";
    public static final String K8S_CLIENT_QPS = "k8s-client-qps";
    public static final String K8S_CLIENT_BURST = "k8s-client-burst";
    public static final String DEVICES = "devices";
    public static final String ENABLE_L2_POD_ANNOUNCEMENTS = "enable-l2-pod-announcements";
    public static final String L2_POD_ANNOUNCEMENTS_INTERFACE = "l2-pod-announcements-interface";
    public static final String L2_POD_ANNOUNCEMENTS_INTERFACE_PATTERN = "l2-pod-announcements-interface-pattern";
    public static final String ENABLE_EXTERNAL_IPS = "enable-external-ips";
    public static final String KUBE_PROXY_REPLACEMENT = "kube-proxy-replacement";
    public static final String NODE_NAME = "node-name";
    public static final String LEASE_NAMESPACE = "l2-announcements-lease-namespace";
    public static final String BPF_PIN_DIR = "bpf-pin-dir";
    public static final String GARP_REPEATS = "l2-announcements-garp-repeats";
    public static final String GARP_INTERVAL = "l2-announcements-garp-interval";
    public static final String HEARTBEAT_INTERVAL = "l2-announcements-heartbeat-interval";
    public static final String HEALTH_PROBE_INTERVAL = "health-probe-interval";
    public static final String DEBUG_PORT = "debug-port";
    public static final String CONFIG_DIR = "config-dir";

    /** Every key this agent reads, in README order. */
    public static final List<String> KEYS = List.of(ENABLE_L2_ANNOUNCEMENTS, LEASE_DURATION, RENEW_DEADLINE,
            RETRY_PERIOD, K8S_CLIENT_QPS, K8S_CLIENT_BURST, DEVICES, ENABLE_L2_POD_ANNOUNCEMENTS,
            L2_POD_ANNOUNCEMENTS_INTERFACE, L2_POD_ANNOUNCEMENTS_INTERFACE_PATTERN, ENABLE_EXTERNAL_IPS,
            KUBE_PROXY_REPLACEMENT, NODE_NAME, LEASE_NAMESPACE, BPF_PIN_DIR, GARP_REPEATS, GARP_INTERVAL,
            HEALTH_PROBE_INTERVAL, DEBUG_PORT, HEARTBEAT_INTERVAL, CONFIG_DIR);

    private AgentConfigLoader() {
    }

    /** The environment variable for a key: upper case, '-' to '_'. */
    public static String envName(String key) {
        return key.toUpperCase(java.util.Locale.ROOT).replace('-', '_');
    }

    /** A value and where it came from, for error messages. */
    record Value(String text, String source) {
    }

    /**
     * @param args     command-line arguments ({@code --key=value})
     * @param env      the process environment
     * @param hostname fallback node name when neither node-name nor NODE_NAME is set
     */
    public static AgentConfig load(List<String> args, Map<String, String> env, String hostname) {
        Map<String, Value> flags = parseFlags(args);
        Map<String, Value> fromEnv = new HashMap<>();
        for (String key : KEYS) {
            String v = env.get(envName(key));
            if (v != null) {
                fromEnv.put(key, new Value(v.trim(), "env " + envName(key)));
            }
        }
        Map<String, Value> merged = new HashMap<>();
        Value dir = flags.getOrDefault(CONFIG_DIR, fromEnv.get(CONFIG_DIR));
        if (dir != null && !dir.text().isEmpty()) {
            merged.putAll(readDirectory(Path.of(dir.text())));
        }
        merged.putAll(fromEnv);
        merged.putAll(flags);
        return build(merged, env, hostname);
    }

    /** Reads a mounted ConfigMap directory; keys this agent does not know are ignored. */
    static Map<String, Value> readDirectory(Path dir) {
        if (!Files.isDirectory(dir)) {
            throw new ConfigException("invalid " + CONFIG_DIR + " \"" + dir + "\": not a readable directory");
        }
        Map<String, Value> out = new LinkedHashMap<>();
        try (Stream<Path> files = Files.list(dir)) {
            for (Path f : files.sorted().toList()) {
                String name = f.getFileName().toString();
                // "..data" and "..2026_01_01_..." are the ConfigMap volume's atomic-update machinery.
                if (name.startsWith("..") || !KEYS.contains(name) || Files.isDirectory(f)) {
                    continue;
                }
                out.put(name, new Value(Files.readString(f).trim(), "file " + f));
            }
        } catch (IOException e) {
            throw new UncheckedIOException("reading " + CONFIG_DIR + " " + dir, e);
        }
        return out;
    }

    static Map<String, Value> parseFlags(List<String> args) {
        Map<String, Value> out = new LinkedHashMap<>();
        for (String arg : args) {
            if (!arg.startsWith("--")) {
                throw new ConfigException("unexpected argument \"" + arg + "\": flags are --key=value");
            }
            String body = arg.substring(2);
            int eq = body.indexOf('=');
            String key = eq < 0 ? body : body.substring(0, eq);
            String value = eq < 0 ? "true" : body.substring(eq + 1);
            if (!KEYS.contains(key)) {
                throw new ConfigException("unknown flag --" + key + " (known: " + String.join(", ", KEYS) + ")");
            }
            out.put(key, new Value(value.trim(), "flag --" + key));
        }
        return out;
    }

    private static AgentConfig build(Map<String, Value> v, Map<String, String> env, String hostname) {
        AgentConfig d = AgentConfig.defaults(hostname);

        Duration lease = duration(v, LEASE_DURATION, d.leaseDuration());
        Duration renew = duration(v, RENEW_DEADLINE, d.renewDeadline());
        Duration retry = duration(v, RETRY_PERIOD, d.retryPeriod());
        // The rules and their wording belong to LeaseTimings; this only says where the value came from.
        Duration heartbeat = duration(v, HEARTBEAT_INTERVAL, d.heartbeatInterval());
        LeaseTimings.violation(lease, renew, retry).or(() -> LeaseTimings.heartbeatViolation(lease, renew, heartbeat))
                .ifPresent(violation -> {
                    throw rule(v, violation.key(), violation.value(), violation.rule());
                });

        double qps = number(v, K8S_CLIENT_QPS, d.k8sClientQps());
        if (!(qps > 0) || Double.isInfinite(qps)) {
            throw rule(v, K8S_CLIENT_QPS, null, "must be a number greater than 0");
        }
        int burst = integer(v, K8S_CLIENT_BURST, d.k8sClientBurst(), 1, 1_000_000);

        String pattern = string(v, L2_POD_ANNOUNCEMENTS_INTERFACE_PATTERN, d.l2PodAnnouncementsInterfacePattern());
        if (!pattern.isEmpty()) {
            try {
                com.google.re2j.Pattern.compile(pattern);
            } catch (PatternSyntaxException e) {
                throw rule(v, L2_POD_ANNOUNCEMENTS_INTERFACE_PATTERN, null, "must be a Go (RE2) regular expression: "
                        + e.getMessage());
            }
        }

        String nodeName = string(v, NODE_NAME, "");
        if (nodeName.isEmpty()) {
            nodeName = hostname == null ? "" : hostname;
        }
        if (nodeName.isEmpty()) {
            throw new ConfigException("missing " + NODE_NAME + ": set env NODE_NAME from the downward API "
                    + "(fieldRef spec.nodeName) or pass --" + NODE_NAME);
        }
        String podNamespace = env.getOrDefault("POD_NAMESPACE", "").trim();
        String leaseNamespace = string(v, LEASE_NAMESPACE, podNamespace.isEmpty() ? "kube-system" : podNamespace);
        if (!leaseNamespace.matches("[a-z0-9]([-a-z0-9]*[a-z0-9])?") || leaseNamespace.length() > 63) {
            throw rule(v, LEASE_NAMESPACE, null, "must be a namespace name (RFC 1123 label)");
        }

        Duration garpInterval = duration(v, GARP_INTERVAL, d.garpInterval());
        if (garpInterval.isNegative() || garpInterval.compareTo(Duration.ofMinutes(1)) > 0) {
            throw rule(v, GARP_INTERVAL, garpInterval, "must be between 0s and 1m");
        }
        Duration probe = duration(v, HEALTH_PROBE_INTERVAL, d.healthProbeInterval());
        if (probe.toNanos() <= 0) {
            throw rule(v, HEALTH_PROBE_INTERVAL, probe, "must be greater than 0s");
        }

        return new AgentConfig(
                bool(v, ENABLE_L2_ANNOUNCEMENTS, d.enableL2Announcements()),
                lease, renew, retry, qps, burst,
                devices(v, d.devices()),
                bool(v, ENABLE_L2_POD_ANNOUNCEMENTS, d.enableL2PodAnnouncements()),
                string(v, L2_POD_ANNOUNCEMENTS_INTERFACE, d.l2PodAnnouncementsInterface()),
                pattern,
                bool(v, ENABLE_EXTERNAL_IPS, d.enableExternalIps()),
                string(v, KUBE_PROXY_REPLACEMENT, d.kubeProxyReplacement()),
                nodeName,
                leaseNamespace,
                Path.of(string(v, BPF_PIN_DIR, d.bpfPinDir().toString())),
                integer(v, GARP_REPEATS, d.garpRepeats(), 1, 100),
                garpInterval,
                probe,
                integer(v, DEBUG_PORT, d.debugPort(), 1, 65535),
                heartbeat);
    }

    private static ConfigException rule(Map<String, Value> v, String key, Duration effective, String rule) {
        Value val = v.get(key);
        String shown = val == null ? "default " + (effective == null ? "" : GoDuration.format(effective))
                : "\"" + val.text() + "\" (from " + val.source() + ")";
        return new ConfigException("invalid " + key + " " + shown + ": " + rule);
    }

    private static ConfigException unparseable(String key, Value val, String rule) {
        return new ConfigException("invalid " + key + " \"" + val.text() + "\" (from " + val.source() + "): " + rule);
    }

    private static Duration duration(Map<String, Value> v, String key, Duration def) {
        Value val = v.get(key);
        if (val == null) {
            return def;
        }
        try {
            return GoDuration.parse(val.text());
        } catch (IllegalArgumentException e) {
            throw unparseable(key, val, "must be a Go duration such as 15s, 1m30s or 200ms (" + e.getMessage() + ")");
        }
    }

    /** Go's strconv.ParseBool, which Cilium's viper/pflag use. */
    private static boolean bool(Map<String, Value> v, String key, boolean def) {
        Value val = v.get(key);
        if (val == null) {
            return def;
        }
        return switch (val.text()) {
            case "1", "t", "T", "TRUE", "true", "True" -> true;
            case "0", "f", "F", "FALSE", "false", "False" -> false;
            default -> throw unparseable(key, val, "must be true or false");
        };
    }

    private static double number(Map<String, Value> v, String key, double def) {
        Value val = v.get(key);
        if (val == null) {
            return def;
        }
        try {
            return Double.parseDouble(val.text());
        } catch (NumberFormatException e) {
            throw unparseable(key, val, "must be a number greater than 0");
        }
    }

    private static int integer(Map<String, Value> v, String key, int def, int min, int max) {
        Value val = v.get(key);
        if (val == null) {
            return def;
        }
        String rule = "must be an integer from " + min + " to " + max;
        try {
            int i = Integer.parseInt(val.text());
            if (i < min || i > max) {
                throw unparseable(key, val, rule);
            }
            return i;
        } catch (NumberFormatException e) {
            throw unparseable(key, val, rule);
        }
    }

    private static String string(Map<String, Value> v, String key, String def) {
        Value val = v.get(key);
        return val == null ? def : val.text();
    }

    /** Cilium accepts devices separated by whitespace (ConfigMap) or commas (flags). */
    private static List<String> devices(Map<String, Value> v, List<String> def) {
        Value val = v.get(DEVICES);
        if (val == null) {
            return def;
        }
        return Arrays.stream(val.text().split("[\\s,]+")).filter(s -> !s.isEmpty()).toList();
    }
}
