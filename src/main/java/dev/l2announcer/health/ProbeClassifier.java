package dev.l2announcer.health;

import dev.l2announcer.datapath.MacAddress;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Pure: turns the replies collected for one (IP, interface) probe into an outcome.
 *
 * <p>Distinct MACs count, not replies: a holder that announces on two NICs of one segment answers
 * twice with its own MACs, which is healthy; any MAC the holder did not publish next to another
 * MAC is a split brain (clients' caches flip between them), a lone foreign MAC is a wrong
 * responder (typically a stale map entry or another announcer after a failover).
 */
public final class ProbeClassifier {
    private ProbeClassifier() {}

    /**
     * @param replies   in arrival order
     * @param macOwners MAC -> node name, from all observed Leases' annotations (to name responders)
     */
    public static VipProbeResult classify(VipTarget target, List<ProbeReply> replies, Map<MacAddress, String> macOwners,
                                          Instant at) {
        Map<MacAddress, List<ProbeReply>> byMac = new LinkedHashMap<>();
        for (ProbeReply r : replies) {
            byMac.computeIfAbsent(r.sender(), m -> new ArrayList<>()).add(r);
        }
        List<VipProbeResult.Responder> responders = new ArrayList<>();
        Duration holderRtt = null;
        boolean foreign = false;
        for (var e : byMac.entrySet()) {
            boolean isHolder = target.holderMacs().contains(e.getKey());
            Duration first = e.getValue().stream().map(ProbeReply::rtt).min(Duration::compareTo).orElseThrow();
            responders.add(new VipProbeResult.Responder(e.getKey(), first, e.getValue().size(),
                    macOwners.getOrDefault(e.getKey(), ""), isHolder));
            if (isHolder) {
                holderRtt = holderRtt == null || first.compareTo(holderRtt) < 0 ? first : holderRtt;
            } else {
                foreign = true;
            }
        }
        ProbeOutcome outcome;
        Duration rtt = null;
        if (byMac.isEmpty()) {
            outcome = ProbeOutcome.NO_ANSWER;
        } else if (byMac.size() > 1 && (foreign || target.holderMacs().isEmpty())) {
            outcome = ProbeOutcome.SPLIT_BRAIN;
        } else if (target.holderMacs().isEmpty()) {
            outcome = ProbeOutcome.UNVERIFIED;
            rtt = responders.getFirst().firstRtt();
        } else if (foreign) {
            outcome = ProbeOutcome.WRONG_RESPONDER;
        } else {
            outcome = ProbeOutcome.OK;
            rtt = holderRtt;
        }
        return new VipProbeResult(target, outcome, responders, rtt, "", at);
    }

    public static VipProbeResult error(VipTarget target, String detail, Instant at) {
        return new VipProbeResult(target, ProbeOutcome.ERROR, List.of(), null, detail, at);
    }
}
