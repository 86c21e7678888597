package dev.l2announcer.datapath;

/**
 * A network link as rtnetlink reports it.
 *
 * @param mac       null when the link has no hardware address
 * @param kind      IFLA_INFO_KIND ("veth", "bridge", ...) or "" for physical devices
 * @param xdpProgId id of the XDP program attached, 0 if none
 */
public record Device(int ifindex, String name, MacAddress mac, boolean up, boolean loopback,
                     String operState, String kind, int xdpProgId) {

    /**
     * Cilium's rule for announcing (up, not loopback, has a MAC), plus carrier: an interface that is
     * administratively up but whose link is down (operstate down, lowerlayerdown, notpresent, dormant: the cable
     * or the peer is gone) answers nobody, so its groups go to a node that can (cilium#35507: Cilium notices only
     * through lease expiry). "unknown" counts as carrier: virtual links often report it.
     */
    public boolean usableForL2() {
        return up && hasCarrier() && !loopback && mac != null && mac.value() != 0;
    }

    /** RFC 2863 operational state as rtnetlink reports it; "unknown" (and empty) counts as carrier. */
    public boolean hasCarrier() {
        return switch (operState == null ? "" : operState) {
            case "down", "lowerlayerdown", "notpresent", "dormant" -> false;
            default -> true;
        };
    }
}
