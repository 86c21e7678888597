/**
 * {@code CiliumL2AnnouncementPolicy} ({@code cilium.io/v2alpha1}): the model (the committed CRD is the contract),
 * validation as Cilium's agent does it (label selectors, RE2 interface regexes) and the {@code io.cilium/bad-*}
 * status conditions.
 *
 * <p>Threads: JOSDK's reconciler threads; no state is kept between reconciles.
 *
 * <p>Invariant: every node computes the same status from the same policy (deterministic messages, transition times
 * that move only on a flip), and {@link dev.l2announcer.policy.PolicyStatusWriter} writes it only when it differs,
 * conditionally on the resourceVersion, so N agents make one write per change.
 */
package dev.l2announcer.policy;
