package dev.l2announcer.agent;

import dev.l2announcer.announce.ResponderSink;
import dev.l2announcer.datapath.LeaseFence;
import dev.l2announcer.datapath.Devices;
import dev.l2announcer.datapath.NeighbourAnnouncer;
import dev.l2announcer.datapath.ResponderMap;
import dev.l2announcer.observability.AnnouncerMetrics;
import dev.l2announcer.observability.DatapathStatus;

/**
 * What the agent needs from this node's datapath: the real one ({@link LinuxNodeDatapath}) or
 * in-memory fakes (tests). Closing it releases handles; pinned state stays for the next start.
 * It reports its own health and stale state ({@link DatapathStatus}).
 */
public interface NodeDatapath extends DatapathStatus, AutoCloseable {
    ResponderMap responderMap();

    Devices devices();

    /** A GARP sender for L2 pod announcements (used from the pod announcer's thread only). */
    NeighbourAnnouncer gratuitousArp();

    /**
     * The sink the announce loop drives; GARPs and errors are reported to {@code metrics}; {@code fence} says
     * whether the node may still answer for a Lease (the election's renew deadlines).
     */
    ResponderSink sink(AnnouncerMetrics metrics, LeaseFence fence);

    default DatapathStatus status() {
        return this;
    }

    @Override
    void close();
}
