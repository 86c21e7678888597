package dev.l2announcer.election;

import dev.l2announcer.datapath.Device;
import dev.l2announcer.datapath.ResponderProgram;
import dev.l2announcer.time.Ticker;
import java.util.Set;
import java.util.TreeSet;

/**
 * The XDP program of one node as {@link ElectionModel} needs it: attached interfaces, and the liveness stamp as the
 * kernel keeps it (the monotonic moment of the last refresh). The kernel answers an entry while
 * {@code now - stamp < maxAge}, whatever the agent's threads do; {@link #answersAt} is that comparison.
 */
final class KernelStamp implements ResponderProgram {
    private final Ticker ticker;
    private final long maxAgeNanos;
    private final Set<String> attached = new TreeSet<>();
    private long stamp = Long.MIN_VALUE / 2;

    KernelStamp(Ticker ticker, long maxAgeNanos) {
        this.ticker = ticker;
        this.maxAgeNanos = maxAgeNanos;
    }

    /** Whether the program answers at {@code nanos} (given an entry): the stamp is younger than the max age. */
    boolean answersAt(long nanos) {
        return nanos - stamp < maxAgeNanos;
    }

    long stamp() {
        return stamp;
    }

    @Override public void attach(Device device) { attached.add(device.name()); }
    @Override public void detach(String name) { attached.remove(name); }
    @Override public Set<String> attachedInterfaces() { return Set.copyOf(attached); }
    @Override public void refreshLiveness() { stamp = ticker.nanoTime(); }
    @Override public void stopAnswering() { stamp = Long.MIN_VALUE / 2; }
}
