package dev.l2announcer.announce;

import dev.l2announcer.datapath.Addresses;
import dev.l2announcer.selection.ServiceRef;

import java.net.InetAddress;
import java.util.List;

/**
 * Why an address of a group cannot be announced from this node. Reported as a Kubernetes Event
 * ({@code L2AnnounceFailed}) on every service of the group, never silently dropped.
 *
 * @param interfaceName the interface concerned, "" when none applies
 */
public record AnnouncementFailure(String leaseName, List<ServiceRef> services, InetAddress ip, String interfaceName,
                                  Reason reason) {
    public AnnouncementFailure {
        services = List.copyOf(services);
    }

    public enum Reason {
        /** The policies select no interface of this node that is up, not loopback and has a MAC. */
        NO_USABLE_INTERFACE("NoUsableInterface", "no usable interface on this node"),
        /** The address's family map (l2_responder_v4 or l2_responder_v6) has no room left (4096 entries each). */
        MAP_FULL("ResponderMapFull", "the responder map of its family (l2_responder_v4/v6) is full"),
        /** A map write or GARP failed; the loop retries on the next resync. */
        DATAPATH_ERROR("DatapathError", "the datapath rejected the entry");

        private final String eventReason;
        private final String description;

        Reason(String eventReason, String description) {
            this.eventReason = eventReason;
            this.description = description;
        }

        /** CamelCase code used in Event notes and metrics. */
        public String code() {
            return eventReason;
        }

        public String description() {
            return description;
        }
    }

    public String message(String nodeName) {
        String where = interfaceName.isEmpty() ? "" : " on " + interfaceName;
        return "cannot announce " + Addresses.format(ip) + " from node " + nodeName + where + ": "
                + reason.code() + " (" + reason.description() + ")";
    }
}
