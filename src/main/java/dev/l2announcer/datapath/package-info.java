/**
 * The node's ARP responder as the rest of the agent sees it: the desired set of
 * {@link dev.l2announcer.datapath.LocalAnnouncement}s (IP on an interface name), resolved to the kernel map's
 * {@link dev.l2announcer.datapath.ResponderEntry} keys (IP, ifindex), links, gratuitous ARP, liveness.
 * Ports ({@link dev.l2announcer.datapath.ResponderMap}, {@link dev.l2announcer.datapath.ResponderProgram},
 * {@link dev.l2announcer.datapath.Devices}, {@link dev.l2announcer.datapath.GratuitousArp}) have a Linux
 * implementation in {@code linux} and in-memory ones in {@code fake}.
 *
 * <p>Thread: {@link dev.l2announcer.datapath.ResponderReconciler} owns its state on one platform thread; its
 * public methods only queue work there.
 *
 * <p>Invariants: the map is made equal to the desired set (not fire-and-forget: failures are retried); GARP is sent
 * only for entries that were installed on an interface our program is attached to; the program stops answering
 * when the liveness stamp is older than {@link dev.l2announcer.datapath.LivenessTiming#maxAge()}, so a dead agent
 * goes silent on its own.
 */
package dev.l2announcer.datapath;
