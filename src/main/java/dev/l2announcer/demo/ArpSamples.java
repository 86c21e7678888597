package dev.l2announcer.demo;

import dev.l2announcer.datapath.MacAddress;

import java.net.Inet4Address;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * What the {@link ArpSampler} client saw, for analysis (pure, immutable). Times are epoch nanoseconds: probes
 * from the JVM's realtime clock just before the send, answers and gratuitous ARPs from the kernel's receive
 * timestamp (also CLOCK_REALTIME).
 *
 * <p>Definitions the fault suite's table uses:
 * <ul>
 *   <li>An answer belongs to the latest probe of its IP sent at or before it (at most {@link #MAX_ANSWER_DELAY}
 *       earlier). A probe answered by two or more MACs is an <b>instant with two MACs</b> for that IP: the XDP
 *       programs of two nodes answered the same request.</li>
 *   <li>An <b>outage</b> of an IP is a run of consecutive unanswered probes. Its length is measured from the last
 *       answer before the run to the first answer after it, so it over-estimates the real silence by at most one
 *       probe spacing of that IP, never under-estimates it.</li>
 * </ul>
 */
public final class ArpSamples {
    /** An answer later than this after its probe is not attributed to it. */
    static final long MAX_ANSWER_DELAY = 1_000_000_000L;

    /** Append-only columns of one frame kind: time, IP id, MAC id (-1 for probes). */
    public record Frames(long[] at, int[] ip, byte[] mac) {
        public Frames {
            if (at.length != ip.length || at.length != mac.length) {
                throw new IllegalArgumentException("columns of different lengths");
            }
        }

        public int size() {
            return at.length;
        }

        static final Frames EMPTY = new Frames(new long[0], new int[0], new byte[0]);
    }

    /** A probe of {@code ip} answered by more than one MAC. */
    public record Dual(Inet4Address ip, long probeAt, Set<MacAddress> macs) {
    }

    /**
     * A run of unanswered probes of {@code ip}: {@code from} is the last answer before it (or the first
     * unanswered probe when there was none), {@code to} the first answer after it ({@code recovered} false:
     * the end of the analysed window).
     */
    public record Outage(Inet4Address ip, long from, long to, int unansweredProbes, boolean recovered) {
        public long nanos() {
            return to - from;
        }
    }

    private final List<Inet4Address> ips;
    private final List<MacAddress> macs;
    private final Frames garps;
    // Per IP id: probe times (ascending), the MACs that answered each probe (bit per MAC id) and the first answer's time.
    private final long[][] probeAt;
    private final int[][] answeredBy;
    private final long[][] answerAt;

    public ArpSamples(List<Inet4Address> ips, List<MacAddress> macs, Frames probes, Frames answers, Frames garps) {
        if (macs.size() > 31) {
            throw new IllegalArgumentException("at most 31 MACs");
        }
        this.ips = List.copyOf(ips);
        this.macs = List.copyOf(macs);
        this.garps = garps;
        int n = ips.size();
        int[] count = new int[n];
        for (int i = 0; i < probes.size(); i++) {
            count[probes.ip()[i]]++;
        }
        probeAt = new long[n][];
        answeredBy = new int[n][];
        answerAt = new long[n][];
        for (int ip = 0; ip < n; ip++) {
            probeAt[ip] = new long[count[ip]];
            answeredBy[ip] = new int[count[ip]];
            answerAt[ip] = new long[count[ip]];
        }
        int[] fill = new int[n];
        for (int i = 0; i < probes.size(); i++) {
            int ip = probes.ip()[i];
            probeAt[ip][fill[ip]++] = probes.at()[i];
        }
        for (long[] p : probeAt) {
            Arrays.sort(p); // one prober thread: already in order; sorting makes the class independent of it
        }
        for (int i = 0; i < answers.size(); i++) {
            int ip = answers.ip()[i];
            long t = answers.at()[i];
            int k = latestAtOrBefore(probeAt[ip], t);
            if (k < 0 || t - probeAt[ip][k] > MAX_ANSWER_DELAY) {
                continue;
            }
            answeredBy[ip][k] |= 1 << answers.mac()[i];
            if (answerAt[ip][k] == 0 || t < answerAt[ip][k]) {
                answerAt[ip][k] = t;
            }
        }
    }

    /** Index of the last element {@code <= t}, or -1. */
    private static int latestAtOrBefore(long[] sorted, long t) {
        int i = Arrays.binarySearch(sorted, t);
        if (i >= 0) {
            while (i + 1 < sorted.length && sorted[i + 1] == t) {
                i++;
            }
            return i;
        }
        return -i - 2;
    }

    /** Index of the first element {@code >= t}. */
    private static int firstAtOrAfter(long[] sorted, long t) {
        int i = latestAtOrBefore(sorted, t - 1);
        return i + 1;
    }

    public List<Inet4Address> ips() {
        return ips;
    }

    public List<MacAddress> macs() {
        return macs;
    }

    public int ipId(Inet4Address ip) {
        int i = ips.indexOf(ip);
        if (i < 0) {
            throw new IllegalArgumentException(ip + " is not sampled");
        }
        return i;
    }

    private Set<MacAddress> macSet(int mask) {
        Set<MacAddress> out = new LinkedHashSet<>();
        for (int m = 0; m < macs.size(); m++) {
            if ((mask & (1 << m)) != 0) {
                out.add(macs.get(m));
            }
        }
        return out;
    }

    private int macMask(Set<MacAddress> of) {
        int mask = 0;
        for (int m = 0; m < macs.size(); m++) {
            if (of.contains(macs.get(m))) {
                mask |= 1 << m;
            }
        }
        return mask;
    }

    /** Probes sent in [from, to), all IPs. */
    public long probes(long from, long to) {
        long n = 0;
        for (long[] p : probeAt) {
            n += firstAtOrAfter(p, to) - firstAtOrAfter(p, from);
        }
        return n;
    }

    /** Probes of one IP sent in [from, to). */
    public int probes(int ip, long from, long to) {
        return firstAtOrAfter(probeAt[ip], to) - firstAtOrAfter(probeAt[ip], from);
    }

    /** Probes sent in [from, to) that were answered by more than one MAC, every IP. */
    public List<Dual> duals(long from, long to) {
        List<Dual> out = new ArrayList<>();
        for (int ip = 0; ip < ips.size(); ip++) {
            long[] p = probeAt[ip];
            for (int k = firstAtOrAfter(p, from); k < p.length && p[k] < to; k++) {
                if (Integer.bitCount(answeredBy[ip][k]) > 1) {
                    out.add(new Dual(ips.get(ip), p[k], macSet(answeredBy[ip][k])));
                }
            }
        }
        return out;
    }

    /**
     * The longest outage of {@code ip} that starts with a probe sent in [from, to) (it may end later); one still
     * running at the last probe ends there, unrecovered. Empty when every probe in the window was answered.
     */
    public java.util.Optional<Outage> longestOutage(int ip, long from, long to) {
        return outages(ip, from, to).stream().max(java.util.Comparator.comparingLong(Outage::nanos));
    }

    /**
     * Every outage of {@code ip} with an unanswered probe sent in [from, to), in time order; one that began before
     * the window is measured whole, one still running at the last probe ends there, unrecovered.
     */
    public List<Outage> outages(int ip, long from, long to) {
        long[] p = probeAt[ip];
        int[] by = answeredBy[ip];
        List<Outage> out = new ArrayList<>();
        int k = firstAtOrAfter(p, from);
        while (k < p.length && p[k] < to) {
            if (by[k] != 0) {
                k++;
                continue;
            }
            int start = k;
            while (start > 0 && by[start - 1] == 0) {
                start--; // the run began before the window: measure it whole
            }
            while (k < p.length && by[k] == 0) {
                k++;
            }
            long begin = start > 0 ? answerAt[ip][start - 1] : p[start];
            boolean recovered = k < p.length;
            long end = recovered ? answerAt[ip][k] : p[k - 1];
            out.add(new Outage(ips.get(ip), begin, end, k - start, recovered));
        }
        return out;
    }

    /** The first answer to a probe of {@code ip} sent at or after {@code t} from one of {@code from}, or -1. */
    public long firstAnswerAfter(int ip, long t, Set<MacAddress> from) {
        int mask = macMask(from);
        long[] p = probeAt[ip];
        for (int k = firstAtOrAfter(p, t); k < p.length; k++) {
            if ((answeredBy[ip][k] & mask) != 0) {
                return answerAt[ip][k];
            }
        }
        return -1;
    }

    /** The last probe of {@code ip} sent in [from, to) that one of {@code by} answered (its send time), or -1. */
    public long lastAnsweredProbe(int ip, long from, long to, Set<MacAddress> by) {
        int mask = macMask(by);
        long[] p = probeAt[ip];
        for (int k = firstAtOrAfter(p, to) - 1; k >= 0 && p[k] >= from; k--) {
            if ((answeredBy[ip][k] & mask) != 0) {
                return p[k];
            }
        }
        return -1;
    }

    /** MACs that answered probes of {@code ip} sent in [from, to). */
    public Set<MacAddress> answerers(int ip, long from, long to) {
        int mask = 0;
        long[] p = probeAt[ip];
        for (int k = firstAtOrAfter(p, from); k < p.length && p[k] < to; k++) {
            mask |= answeredBy[ip][k];
        }
        return macSet(mask);
    }

    /** IP ids that {@code mac} answered for, probes sent in [from, to). */
    public List<Integer> answeredBy(MacAddress mac, long from, long to) {
        int bit = macMask(Set.of(mac));
        List<Integer> out = new ArrayList<>();
        for (int ip = 0; ip < ips.size(); ip++) {
            long[] p = probeAt[ip];
            for (int k = firstAtOrAfter(p, from); k < p.length && p[k] < to; k++) {
                if ((answeredBy[ip][k] & bit) != 0) {
                    out.add(ip);
                    break;
                }
            }
        }
        return out;
    }

    /** Gratuitous ARPs from {@code mac} received in [from, to): IP ids, in time order. */
    public List<Integer> gratuitousFrom(MacAddress mac, long from, long to) {
        int id = macs.indexOf(mac);
        List<Integer> out = new ArrayList<>();
        for (int i = 0; i < garps.size(); i++) {
            if (garps.mac()[i] == id && garps.at()[i] >= from && garps.at()[i] < to) {
                out.add(garps.ip()[i]);
            }
        }
        return out;
    }
}
