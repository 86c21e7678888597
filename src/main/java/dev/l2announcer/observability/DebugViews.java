package dev.l2announcer.observability;

import dev.l2announcer.datapath.Addresses;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.l2announcer.announce.AnnouncementFailure;
import dev.l2announcer.announce.AnnouncementRow;
import dev.l2announcer.announce.AnnouncementTable;
import dev.l2announcer.config.AgentConfig;
import dev.l2announcer.datapath.Device;
import dev.l2announcer.datapath.Devices;
import dev.l2announcer.datapath.ResponderEntry;
import dev.l2announcer.datapath.ResponderMap;
import dev.l2announcer.election.LeaderElection;
import dev.l2announcer.selection.DeviceNameFilter;
import dev.l2announcer.selection.ServiceRef;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.function.Supplier;
import java.util.stream.Collectors;

/**
 * The read-only debug views (Cilium's troubleshooting commands' equivalents). Each view is a list
 * of rows with ordered columns: the HTTP endpoint serves it as JSON, the CLI prints it as a table.
 */
public final class DebugViews {
    public static final List<String> NAMES =
            List.of("announcements", "failures", "devices", "responders", "config", "leases", "doctor");

    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private final AgentConfig config;
    private final Supplier<AnnouncementTable> table;
    private final Supplier<List<AnnouncementFailure>> failures;
    private final Devices devices;
    private final ResponderMap map;
    private final LeaderElection election;
    private final Supplier<List<DoctorCheck>> doctor;

    public DebugViews(AgentConfig config, Supplier<AnnouncementTable> table, Supplier<List<AnnouncementFailure>> failures,
                      Devices devices, ResponderMap map, LeaderElection election, Supplier<List<DoctorCheck>> doctor) {
        this.config = config;
        this.table = table;
        this.failures = failures;
        this.devices = devices;
        this.map = map;
        this.election = election;
        this.doctor = doctor;
    }

    public List<Map<String, Object>> view(String name) {
        return switch (name) {
            case "announcements" -> announcements();
            case "failures" -> failures();
            case "devices" -> devices();
            case "responders" -> responders();
            case "config" -> config();
            case "leases" -> leases();
            case "doctor" -> doctor();
            default -> throw new NoSuchElementException("unknown view " + name + "; views: " + String.join(", ", NAMES));
        };
    }

    public String json(String name) {
        try {
            return JSON.writeValueAsString(view(name));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    private List<Map<String, Object>> announcements() {
        List<Map<String, Object>> out = new ArrayList<>();
        for (AnnouncementRow r : table.get().rows()) {
            out.add(row("ip", Addresses.format(r.ip()), "interface", r.interfaceName(),
                    "services", services(r.services()), "lease", r.leaseName(), "since", r.since().toString()));
        }
        return out;
    }

    private List<Map<String, Object>> failures() {
        List<Map<String, Object>> out = new ArrayList<>();
        for (AnnouncementFailure f : failures.get()) {
            out.add(row("ip", Addresses.format(f.ip()), "interface", f.interfaceName(), "services", services(f.services()),
                    "lease", f.leaseName(), "reason", f.reason().code()));
        }
        return out;
    }

    private static String services(List<ServiceRef> s) {
        return s.stream().map(ServiceRef::toString).collect(Collectors.joining(","));
    }

    private List<Map<String, Object>> devices() {
        Map<String, Long> announcing = new HashMap<>();
        table.get().rows().forEach(r -> announcing.merge(r.interfaceName(), 1L, Long::sum));
        DeviceNameFilter filter = new DeviceNameFilter(config.devices());
        List<Map<String, Object>> out = new ArrayList<>();
        for (Device d : devices.list().stream().sorted(Comparator.comparingInt(Device::ifindex)).toList()) {
            List<String> flags = new ArrayList<>();
            if (d.up()) flags.add("UP");
            if (d.loopback()) flags.add("LOOPBACK");
            if (d.xdpProgId() != 0) flags.add("XDP:" + d.xdpProgId());
            out.add(row("name", d.name(), "ifindex", d.ifindex(),
                    "selected", d.usableForL2() && filter.matches(d.name()),
                    "mac", d.mac() == null ? "" : d.mac().toString(),
                    "flags", String.join(",", flags), "operstate", d.operState(), "kind", d.kind(),
                    "announcing", announcing.getOrDefault(d.name(), 0L)));
        }
        return out;
    }

    /** Both kernel maps, IPv4 then IPv6, each by address then ifindex; the map column names the entry's map. */
    private List<Map<String, Object>> responders() {
        Map<Integer, String> names = new HashMap<>();
        devices.list().forEach(d -> names.put(d.ifindex(), d.name()));
        List<Map.Entry<ResponderEntry, Long>> entries = new ArrayList<>(map.list().entrySet());
        entries.sort(Comparator.comparing((Map.Entry<ResponderEntry, Long> e) -> e.getKey().ip(), Addresses.ORDER)
                .thenComparingInt(e -> e.getKey().ifindex()));
        List<Map<String, Object>> out = new ArrayList<>();
        for (var e : entries) {
            out.add(row("ip", Addresses.format(e.getKey().ip()), "ifindex", e.getKey().ifindex(),
                    "interface", names.getOrDefault(e.getKey().ifindex(), "?"), "map", e.getKey().family().mapName(),
                    "responses_sent", e.getValue()));
        }
        return out;
    }

    private List<Map<String, Object>> config() {
        AgentConfig c = config;
        List<Map<String, Object>> out = new ArrayList<>();
        out.add(cfg("EnableL2Announcements", "enable-l2-announcements", c.enableL2Announcements()));
        out.add(cfg("KubeProxyReplacement", "kube-proxy-replacement", c.kubeProxyReplacement()));
        out.add(cfg("L2AnnouncerLeaseDuration", "l2-announcements-lease-duration", c.leaseDuration().toString()));
        out.add(cfg("L2AnnouncerRenewDeadline", "l2-announcements-renew-deadline", c.renewDeadline().toString()));
        out.add(cfg("L2AnnouncerRetryPeriod", "l2-announcements-retry-period", c.retryPeriod().toString()));
        out.add(cfg("K8sClientQPSLimit", "k8s-client-qps", c.k8sClientQps()));
        out.add(cfg("K8sClientBurst", "k8s-client-burst", c.k8sClientBurst()));
        out.add(cfg("Devices", "devices", String.join(",", c.devices())));
        out.add(cfg("EnableExternalIPs", "enable-external-ips", c.enableExternalIps()));
        out.add(cfg("EnableL2PodAnnouncements", "enable-l2-pod-announcements", c.enableL2PodAnnouncements()));
        out.add(cfg("L2PodAnnouncementsInterface", "l2-pod-announcements-interface", c.l2PodAnnouncementsInterface()));
        out.add(cfg("L2PodAnnouncementsInterfacePattern", "l2-pod-announcements-interface-pattern",
                c.l2PodAnnouncementsInterfacePattern()));
        out.add(cfg("NodeName", "node-name", c.nodeName()));
        out.add(cfg("LeaseNamespace", "l2-announcements-lease-namespace", c.leaseNamespace()));
        out.add(cfg("BpfPinDir", "bpf-pin-dir", String.valueOf(c.bpfPinDir())));
        out.add(cfg("GarpRepeats", "l2-announcements-garp-repeats", c.garpRepeats()));
        out.add(cfg("GarpInterval", "l2-announcements-garp-interval", c.garpInterval().toString()));
        out.add(cfg("HealthProbeInterval", "health-probe-interval", c.healthProbeInterval().toString()));
        out.add(cfg("DebugPort", "debug-port", c.debugPort()));
        return out;
    }

    private static Map<String, Object> cfg(String name, String key, Object value) {
        return row("name", name, "key", key, "value", value);
    }

    private List<Map<String, Object>> leases() {
        List<Map<String, Object>> out = new ArrayList<>();
        for (LeaderElection.LeaseView l : election.leases().stream()
                .sorted(Comparator.comparing(LeaderElection.LeaseView::name)).toList()) {
            out.add(row("lease", l.name(), "role", l.heldByMe() ? "held" : "following",
                    "holder", l.holder(), "candidates", l.candidates(),
                    "since_last_renew_ms", l.sinceLastObservedRenew().toMillis()));
        }
        return out;
    }

    private List<Map<String, Object>> doctor() {
        List<Map<String, Object>> out = new ArrayList<>();
        for (DoctorCheck c : doctor.get()) {
            out.add(row("check", c.check(), "status", c.status().name(), "detail", c.detail(),
                    "confirm", String.join(" ; ", c.confirm())));
        }
        return out;
    }

    private static Map<String, Object> row(Object... kv) {
        Map<String, Object> m = new LinkedHashMap<>();
        for (int i = 0; i < kv.length; i += 2) {
            m.put((String) kv[i], kv[i + 1]);
        }
        return m;
    }
}
