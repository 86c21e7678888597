package dev.l2announcer.health;

import dev.l2announcer.datapath.Addresses;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.l2announcer.selection.ServiceRef;

import java.math.BigDecimal;
import java.time.Duration;
import java.time.temporal.ChronoUnit;
import java.util.stream.Collectors;

/** Text (in the layout of {@code cilium-health status}) and JSON renderings of a {@link HealthReport}. */
public final class HealthReportFormat {
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private HealthReportFormat() {}

    public static String text(HealthReport r) {
        StringBuilder sb = new StringBuilder();
        sb.append("Probe time:   ").append(r.probeTime() == null ? "never" : r.probeTime().truncatedTo(ChronoUnit.SECONDS))
                .append('\n');
        sb.append("Nodes:\n");
        if (r.nodes().isEmpty()) {
            sb.append("  (none probed yet)\n");
        }
        for (NodeProbeResult n : r.nodes()) {
            sb.append("  ").append(n.target().name()).append(n.target().local() ? " (localhost)" : "").append(":\n");
            sb.append("    Host connectivity to ").append(n.target().address().getHostAddress()).append(":\n");
            sb.append(row("      ", "HTTP via L3:", n.ok() ? "OK, RTT=" + goDuration(n.rtt()) : n.error()));
        }
        sb.append("Announced IPs:\n");
        if (r.vips().isEmpty()) {
            sb.append("  (none probed: this node holds them all, or is not a candidate)\n");
        }
        for (HealthReport.VipStatus v : r.vips()) {
            sb.append("  ").append(Addresses.format(v.ip())).append(" (")
                    .append(v.services().stream().map(ServiceRef::toString).collect(Collectors.joining(", ")))
                    .append("), lease ").append(v.leaseName()).append(", holder ").append(v.holder()).append(":\n");
            for (VipProbeResult p : v.probes()) {
                sb.append(row("    ", p.target().family().protocol() + " via " + p.target().via().name() + ":", vipLine(p)));
            }
        }
        return sb.toString();
    }

    private static String row(String indent, String label, String value) {
        return indent + String.format("%-17s", label) + value + "\n";
    }

    private static String vipLine(VipProbeResult p) {
        return switch (p.outcome()) {
            case OK -> "OK, RTT=" + goDuration(p.rtt()) + ", MAC=" + macs(p);
            case UNVERIFIED -> "OK (holder published no MACs), RTT=" + goDuration(p.rtt()) + ", MAC=" + macs(p);
            case NO_ANSWER -> "no-answer (expected " + expected(p) + ")";
            case WRONG_RESPONDER -> "wrong-responder " + macs(p) + " (expected " + expected(p) + ")";
            case SPLIT_BRAIN -> "split-brain, MACs=" + macs(p);
            case ERROR -> "error: " + p.detail();
        };
    }

    private static String expected(VipProbeResult p) {
        if (p.target().holderMacs().isEmpty()) {
            return p.target().holder() + ", MACs unpublished";
        }
        return p.target().holderMacs().stream().map(Object::toString).sorted().collect(Collectors.joining("/"))
                + " of " + p.target().holder();
    }

    private static String macs(VipProbeResult p) {
        return p.responders().stream().map(x -> {
            String who = x.holder() ? (x.owner().isEmpty() ? "holder" : x.owner() + ", holder")
                    : (x.owner().isEmpty() ? "unknown" : x.owner());
            return x.mac() + (p.outcome() == ProbeOutcome.OK ? "" : " (" + who + ")");
        }).collect(Collectors.joining(", "));
    }

    /** Go's time.Duration.String(), which cilium-health prints: 434.173µs, 1.258166ms, 2.5s. */
    public static String goDuration(Duration d) {
        long ns = d.toNanos();
        if (ns == 0) {
            return "0s";
        }
        String sign = ns < 0 ? "-" : "";
        ns = Math.abs(ns);
        if (ns < 1_000) {
            return sign + ns + "ns";
        }
        if (ns < 1_000_000) {
            return sign + decimal(ns, 3) + "µs";
        }
        if (ns < 1_000_000_000) {
            return sign + decimal(ns, 6) + "ms";
        }
        long totalSeconds = ns / 1_000_000_000L;
        String frac = decimal(ns % 60_000_000_000L, 9);
        if (totalSeconds < 60) {
            return sign + frac + "s";
        }
        long h = totalSeconds / 3600;
        long m = (totalSeconds % 3600) / 60;
        return sign + (h > 0 ? h + "h" : "") + m + "m" + frac + "s";
    }

    private static String decimal(long value, int scale) {
        return new BigDecimal(value).movePointLeft(scale).stripTrailingZeros().toPlainString();
    }

    public static String json(HealthReport r) {
        ObjectNode root = JSON.createObjectNode();
        root.put("probeTime", r.probeTime() == null ? null : r.probeTime().toString());
        root.put("localNode", r.localNode());
        ArrayNode nodes = root.putArray("nodes");
        for (NodeProbeResult n : r.nodes()) {
            ObjectNode o = nodes.addObject();
            o.put("name", n.target().name());
            o.put("address", n.target().address().getHostAddress());
            o.put("local", n.target().local());
            o.put("status", n.ok() ? "ok" : "down");
            putRtt(o, n.rtt());
            o.put("error", n.error());
            o.put("probedAt", n.at().toString());
        }
        ArrayNode vips = root.putArray("vips");
        for (HealthReport.VipStatus v : r.vips()) {
            ObjectNode o = vips.addObject();
            o.put("ip", Addresses.format(v.ip()));
            o.put("lease", v.leaseName());
            ArrayNode svcs = o.putArray("services");
            v.services().forEach(s -> svcs.add(s.toString()));
            o.put("holder", v.holder());
            ArrayNode probes = o.putArray("probes");
            for (VipProbeResult p : v.probes()) {
                ObjectNode po = probes.addObject();
                po.put("interface", p.target().via().name());
                po.put("outcome", p.outcome().label());
                putRtt(po, p.rtt());
                ArrayNode expected = po.putArray("holderMacs");
                p.target().holderMacs().stream().map(Object::toString).sorted().forEach(expected::add);
                ArrayNode rs = po.putArray("responders");
                for (VipProbeResult.Responder x : p.responders()) {
                    ObjectNode ro = rs.addObject();
                    ro.put("mac", x.mac().toString());
                    ro.put("owner", x.owner());
                    ro.put("holder", x.holder());
                    ro.put("replies", x.replies());
                    ro.put("rttNanos", x.firstRtt().toNanos());
                }
                po.put("error", p.detail());
                po.put("probedAt", p.at().toString());
            }
        }
        try {
            return JSON.writeValueAsString(root);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void putRtt(ObjectNode o, Duration rtt) {
        if (rtt == null) {
            o.putNull("rtt");
            o.putNull("rttNanos");
        } else {
            o.put("rtt", goDuration(rtt));
            o.put("rttNanos", rtt.toNanos());
        }
    }

}
