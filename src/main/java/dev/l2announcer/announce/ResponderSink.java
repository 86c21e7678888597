package dev.l2announcer.announce;

import dev.l2announcer.datapath.LocalAnnouncement;

import java.util.Map;
import java.util.Set;

/**
 * Where the loop hands its desired (IP, interface) set, IPv4 and IPv6: the datapath makes the responder maps
 * equal to it and sends gratuitous ARP / unsolicited NAs for new entries. One call = one full desired state.
 */
public interface ResponderSink {
    Result apply(Set<LocalAnnouncement> desired);

    /**
     * Waits (bounded) until what was last applied is in effect; for sinks that apply asynchronously.
     *
     * @return false when that could not be confirmed within {@code timeout}: the caller must then
     *         assume the datapath may still answer for what it asked to remove
     */
    default boolean awaitApplied(java.time.Duration timeout) {
        return true;
    }

    /**
     * For sinks that learn about failures later (asynchronous datapath, links appearing): calls
     * {@code onChange} when the failures it would report have changed, so the loop re-plans.
     */
    default AutoCloseable onFailuresChanged(Runnable onChange) {
        return () -> { };
    }

    /**
     * @param failed         desired entries that could not be installed, with why
     * @param datapathErrors errors that did not stop an entry from being installed (e.g. a GARP send)
     */
    record Result(Set<LocalAnnouncement> added, Set<LocalAnnouncement> removed,
                  Map<LocalAnnouncement, AnnouncementFailure.Reason> failed, int datapathErrors) {
        public Result {
            added = Set.copyOf(added);
            removed = Set.copyOf(removed);
            failed = Map.copyOf(failed);
        }
    }
}
