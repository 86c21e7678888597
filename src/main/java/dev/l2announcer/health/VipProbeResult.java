package dev.l2announcer.health;

import dev.l2announcer.datapath.MacAddress;

import java.time.Duration;
import java.time.Instant;
import java.util.List;

/**
 * @param responders every distinct MAC that answered, in order of first reply
 * @param rtt        time to the holder's first reply (ok/unverified), else null
 * @param detail     error text for {@link ProbeOutcome#ERROR}, else ""
 */
public record VipProbeResult(VipTarget target, ProbeOutcome outcome, List<Responder> responders, Duration rtt,
                             String detail, Instant at) {
    public VipProbeResult {
        responders = List.copyOf(responders);
    }

    /**
     * @param owner   node that published this MAC on some announcement Lease ("" if none did)
     * @param holder  whether it is one of the holder's published MACs
     * @param replies replies from this MAC in the window
     */
    public record Responder(MacAddress mac, Duration firstRtt, int replies, String owner, boolean holder) {}
}
