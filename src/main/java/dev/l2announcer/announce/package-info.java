/**
 * The announce loop: selection snapshots x leadership events -&gt; the desired (IP, interface) set handed to the
 * datapath, and the {@code l2-announce} table ({@link dev.l2announcer.announce.AnnouncementTable}, Cilium's name)
 * shown by {@code dbg announcements}. Planning is pure ({@link dev.l2announcer.announce.AnnouncementPlanner}).
 *
 * <p>Thread: one loop thread ({@code l2a-announce-<node>}) owns all state; other threads read the published table.
 *
 * <p>Invariants: only IPs of leases this node holds are desired; a lease that is lost or released is withdrawn on
 * the loop before anything else; a lease is withdrawn from the datapath (confirmed) before it is released, so the
 * successor named in the release never answers next to us; the campaign covers only groups this node can announce.
 */
package dev.l2announcer.announce;
