package dev.l2announcer.observability;

import java.util.List;

/** What health, metrics and {@code doctor} need to know about the datapath. */
public interface DatapathStatus {
    /** The responder program is loaded and its map is open (readiness). */
    boolean attached();

    /** Stale BPF state found (duplicate maps, programs on a stale map, foreign programs); empty when clean. */
    List<DoctorCheck> staleState();
}
