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

    /** Cilium's rule for announcing: up, not loopback, has a MAC. */
    public boolean usableForL2() {
        return up && !loopback && mac != null && mac.value() != 0;
    }
}
