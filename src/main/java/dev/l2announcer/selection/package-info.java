/**
 * Which Services are announced, from which nodes, on which interfaces: policies x Services x EndpointSlices x
 * Nodes x local devices -&gt; {@link dev.l2announcer.selection.SelectionSnapshot} (announcement groups keyed by
 * lease name). {@link dev.l2announcer.selection.SelectionCalculator} is one pure function; equal inputs give an
 * equal snapshot, so it is tested without event orders.
 *
 * <p>Threads: informer threads (ours, and the agent's Lease informer given to
 * {@link dev.l2announcer.selection.KubernetesSelectionSource#useLeases}) only signal the {@link dev.l2announcer.selection.RecomputeDebouncer}; recomputes
 * run on the selection thread ({@code l2a-selection}) and publish immutable snapshots to subscribers in order.
 *
 * <p>Invariants: an IP belongs to at most one group (Services sharing an IP, or a lease name, form one group with
 * one Lease); a Service with nothing to announce has no group; lease names are Cilium's
 * ({@link dev.l2announcer.selection.LeaseNames}), and a group keeps an existing Lease while any member remains
 * ({@link dev.l2announcer.selection.GroupNaming}: a function of API state, so every agent names a group alike).
 */
package dev.l2announcer.selection;
