package dev.l2announcer.health;

import dev.l2announcer.datapath.Addresses;
import dev.l2announcer.datapath.MacAddress;
import dev.l2announcer.selection.ServiceRef;
import dev.l2announcer.time.Ticker;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * Warning Events on the Services of an IP whose probe found a split brain or no answer, at most one
 * per (Service, reason) per {@code minGap}: a probe repeats every interval from every candidate, and
 * an Event storm would hide the message (and load the API server) exactly during an incident.
 * Probe-loop thread only.
 */
public final class HealthEvents {
    public static final String REASON_SPLIT_BRAIN = "L2AnnouncementSplitBrain";
    public static final String REASON_NO_ANSWER = "L2AnnouncementNoAnswer";

    private final ServiceEventSink sink;
    private final Ticker ticker;
    private final long minGapNanos;
    private final String selfNode;
    private final Map<String, Long> lastSent = new HashMap<>();

    public HealthEvents(ServiceEventSink sink, Ticker ticker, Duration minGap, String selfNode) {
        this.sink = sink;
        this.ticker = ticker;
        this.minGapNanos = minGap.toNanos();
        this.selfNode = selfNode;
    }

    public void onResult(VipProbeResult r) {
        String reason = switch (r.outcome()) {
            case SPLIT_BRAIN -> REASON_SPLIT_BRAIN;
            case NO_ANSWER -> REASON_NO_ANSWER;
            default -> null;
        };
        if (reason == null) {
            return;
        }
        VipTarget t = r.target();
        String message = switch (r.outcome()) {
            case SPLIT_BRAIN -> t.family().protocol() + " for " + Addresses.format(t.ip()) + " answered by several MACs: "
                    + r.responders().stream().map(x -> x.mac() + (x.owner().isEmpty() ? "" : " (" + x.owner() + ")"))
                    .collect(Collectors.joining(", "))
                    + "; lease holder is " + t.holder() + " (probed by " + selfNode + " via " + t.via().name() + ")";
            default -> "no " + t.family().protocol() + " reply for " + Addresses.format(t.ip()) + " from lease holder " + t.holder()
                    + (t.holderMacs().isEmpty() ? "" : " (" + t.holderMacs().stream().map(MacAddress::toString).sorted()
                    .collect(Collectors.joining(", ")) + ")")
                    + " (probed by " + selfNode + " via " + t.via().name() + ")";
        };
        long now = ticker.nanoTime();
        for (ServiceRef svc : t.services()) {
            String key = svc + "\u0000" + reason;
            Long last = lastSent.get(key);
            if (last != null && now - last < minGapNanos) {
                continue;
            }
            lastSent.put(key, now);
            sink.warning(svc, reason, message);
        }
        lastSent.values().removeIf(at -> now - at >= minGapNanos);
    }
}
