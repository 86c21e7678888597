package dev.l2announcer.datapath;

import java.net.InetAddress;
import java.util.Set;

/**
 * How a link's neighbours learn that this node answers for an IP, whatever the family: the one seam over ARP
 * (IPv4) and NDP (IPv6), with the implementations side by side as MetalLB's {@code internal/layer2/arp.go} and
 * {@code ndp.go}: {@code linux/PacketSocketGratuitousArp} and {@code linux/NdpAnnouncer},
 * combined by {@link DualStackAnnouncer}. The kernel program answers the requests themselves; this is what the
 * agent sends and joins around it.
 */
public interface NeighbourAnnouncer {
    /**
     * One unsolicited announcement of {@code ip} with {@code device}'s MAC: gratuitous ARP (request and reply form)
     * for IPv4, an unsolicited Neighbor Advertisement to all-nodes with the Override flag for IPv6.
     */
    void announce(Device device, InetAddress ip);

    /**
     * Makes the links deliver the solicitations for exactly {@code entries} (the installed map keys of every family;
     * an implementation acts on its own): IPv6 joins each target's solicited-node multicast group on its interface
     * (MLD) and leaves the groups no entry needs any more; IPv4 needs nothing (ARP requests are broadcast).
     * Idempotent, called after every convergence; a failure is retried by the next call.
     */
    default void listen(Set<ResponderEntry> entries) {
    }
}
