package dev.l2announcer.demo;

import dev.l2announcer.datapath.ArpFrame;
import dev.l2announcer.datapath.MacAddress;

import java.net.Inet4Address;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * What the client saw for one VIP: the probes it sent and every ARP frame captured. Answers are
 * replies from the VIP to the prober; each is attributed to the latest probe sent before it, so two
 * MACs answering one probe means two nodes announced the VIP at the same time.
 */
record ArpTimeline(Inet4Address vip, Inet4Address proberIp, List<ArpPacket> packets, List<Instant> probes) {

    /** Two or more MACs answered the probe sent at {@code probe}. */
    record Conflict(Instant probe, Set<MacAddress> macs) {
    }

    List<ArpPacket> answers() {
        return packets.stream()
                .filter(p -> p.op() == ArpFrame.OP_REPLY && p.senderIp().equals(vip) && p.targetIp().equals(proberIp))
                .toList();
    }

    /** Gratuitous ARPs for the VIP (request or reply form). */
    List<ArpPacket> gratuitous() {
        return packets.stream().filter(p -> p.gratuitous() && p.senderIp().equals(vip)).toList();
    }

    Optional<ArpPacket> firstAnswerAfter(Instant t) {
        return answers().stream().filter(p -> !p.at().isBefore(t)).findFirst();
    }

    /** First answer at or after {@code t} from any MAC other than {@code old}. */
    Optional<ArpPacket> firstAnswerAfter(Instant t, MacAddress old) {
        return answers().stream().filter(p -> !p.at().isBefore(t) && !p.senderMac().equals(old)).findFirst();
    }

    Optional<ArpPacket> firstGratuitousAfter(Instant t, MacAddress old) {
        return gratuitous().stream().filter(p -> !p.at().isBefore(t) && !p.senderMac().equals(old)).findFirst();
    }

    /** Last answer from {@code mac} before {@code t}. */
    Optional<ArpPacket> lastAnswerBefore(Instant t, MacAddress mac) {
        ArpPacket last = null;
        for (ArpPacket p : answers()) {
            if (p.at().isBefore(t) && p.senderMac().equals(mac)) {
                last = p;
            }
        }
        return Optional.ofNullable(last);
    }

    Set<MacAddress> answerersBetween(Instant from, Instant to) {
        Set<MacAddress> macs = new LinkedHashSet<>();
        for (ArpPacket p : answers()) {
            if (!p.at().isBefore(from) && p.at().isBefore(to)) {
                macs.add(p.senderMac());
            }
        }
        return macs;
    }

    /** Probes answered by more than one MAC. */
    List<Conflict> conflicts() {
        List<Conflict> out = new ArrayList<>();
        for (int i = 0; i < probes.size(); i++) {
            Instant from = probes.get(i);
            Instant to = i + 1 < probes.size() ? probes.get(i + 1) : from.plus(Duration.ofSeconds(1));
            Set<MacAddress> macs = answerersBetween(from, to);
            if (macs.size() > 1) {
                out.add(new Conflict(from, macs));
            }
        }
        return out;
    }

    /** Fraction of probes sent in [from, to) that got no answer before the next probe. */
    long unansweredProbes(Instant from, Instant to) {
        long n = 0;
        for (int i = 0; i < probes.size(); i++) {
            Instant p = probes.get(i);
            if (p.isBefore(from) || !p.isBefore(to)) {
                continue;
            }
            Instant next = i + 1 < probes.size() ? probes.get(i + 1) : p.plus(Duration.ofSeconds(1));
            if (answerersBetween(p, next).isEmpty()) {
                n++;
            }
        }
        return n;
    }
}
