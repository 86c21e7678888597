/**
 * Which Services are announced, from which nodes, on which interfaces: policies x Services x EndpointSlices x
 * Nodes x local devices -&gt; {@link dev.l2announcer.selection.SelectionSnapshot} (announcement groups keyed by
 * lease name). {@link dev.l2announcer.selection.SelectionCalculator} is one pure function; equal inputs give an
 * equal snapshot, so it is tested without event orders.
 *
 * <p>Threads: informer threads only signal the {@link dev.l2announcer.selection.RecomputeDebouncer}; recomputes
 * run on the selection thread ({@code l2a-selection}) and publish immutable snapshots to subscribers in order.
 *
 * <p>Invariants: an IP belongs to at most one group (Services sharing an IP form one group with one Lease); a
 * Service with nothing to announce has no group; lease names are Cilium's ({@link dev.l2announcer.selection.LeaseNames}).
 */
package dev.l2announcer.selection;
