package dev.l2announcer.demo;

import dev.l2announcer.datapath.MacAddress;

import java.net.InetAddress;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * What the client saw for one VIP, IPv4 or IPv6: the probes it sent and every ARP (or NDP) frame captured. Answers
 * are ARP replies from the VIP, or Neighbor Advertisements for it, to the prober; each is attributed to the latest
 * probe sent before it, so two MACs answering one probe means two nodes announced the VIP at the same time.
 */
record NeighbourTimeline(InetAddress vip, InetAddress proberIp, List<NeighbourPacket> packets, List<Instant> probes) {

    /** Two or more MACs answered the probe sent at {@code probe}. */
    record Conflict(Instant probe, Set<MacAddress> macs) {
    }

    List<NeighbourPacket> answers() {
        return packets.stream()
                .filter(p -> p.kind() == NeighbourPacket.Kind.ANSWER && p.ip().equals(vip) && p.to().equals(proberIp))
                .toList();
    }

    /** Gratuitous ARPs (request or reply form) or unsolicited Neighbor Advertisements for the VIP. */
    List<NeighbourPacket> gratuitous() {
        return packets.stream().filter(p -> p.gratuitous() && p.ip().equals(vip)).toList();
    }

    Optional<NeighbourPacket> firstAnswerAfter(Instant t) {
        return answers().stream().filter(p -> !p.at().isBefore(t)).findFirst();
    }

    /** First answer at or after {@code t} from any MAC other than {@code old}. */
    Optional<NeighbourPacket> firstAnswerAfter(Instant t, MacAddress old) {
        return answers().stream().filter(p -> !p.at().isBefore(t) && !p.senderMac().equals(old)).findFirst();
    }

    Optional<NeighbourPacket> firstGratuitousAfter(Instant t, MacAddress old) {
        return gratuitous().stream().filter(p -> !p.at().isBefore(t) && !p.senderMac().equals(old)).findFirst();
    }

    /** Last answer from {@code mac} before {@code t}. */
    Optional<NeighbourPacket> lastAnswerBefore(Instant t, MacAddress mac) {
        NeighbourPacket last = null;
        for (NeighbourPacket p : answers()) {
            if (p.at().isBefore(t) && p.senderMac().equals(mac)) {
                last = p;
            }
        }
        return Optional.ofNullable(last);
    }

    Set<MacAddress> answerersBetween(Instant from, Instant to) {
        Set<MacAddress> macs = new LinkedHashSet<>();
        for (NeighbourPacket p : answers()) {
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
