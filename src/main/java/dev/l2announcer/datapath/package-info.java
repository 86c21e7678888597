/**
 * The node's ARP and NDP responder as the rest of the agent sees it: the desired set of
 * {@link dev.l2announcer.datapath.LocalAnnouncement}s (IPv4 or IPv6 address on an interface name), resolved to the
 * kernel maps' {@link dev.l2announcer.datapath.ResponderEntry} keys (IP, ifindex; {@code l2_responder_v4} and
 * {@code l2_responder_v6} behind one {@link dev.l2announcer.datapath.DualStackResponderMap}), links, unsolicited
 * announcements and the solicited-node groups the links listen to, liveness. Ports
 * ({@link dev.l2announcer.datapath.ResponderMap}, {@link dev.l2announcer.datapath.ResponderProgram},
 * {@link dev.l2announcer.datapath.Devices}, {@link dev.l2announcer.datapath.NeighbourAnnouncer}: one family-neutral
 * seam, ARP and NDP implementations side by side) have a Linux implementation in {@code linux} and in-memory ones in
 * {@code fake}; {@link dev.l2announcer.datapath.ArpFrame} and {@link dev.l2announcer.datapath.NdpFrame} are the wire
 * formats.
 *
 * <p>Thread: {@link dev.l2announcer.datapath.ResponderReconciler} owns its state on one platform thread; its
 * public methods only queue work there.
 *
 * <p>Invariants: each map is made equal to the desired set of its family, within its own capacity (not
 * fire-and-forget: failures are retried); gratuitous ARP and unsolicited NAs are sent only for entries that were
 * installed on an interface our program is attached to, and only while the {@link dev.l2announcer.datapath.LeaseFence}
 * holds their Lease; the program stops answering, ARP and NDP alike, when the liveness stamp is older than
 * {@link dev.l2announcer.datapath.LivenessTiming#maxAge()}, so a dead agent goes silent on its own.
 */
package dev.l2announcer.datapath;
