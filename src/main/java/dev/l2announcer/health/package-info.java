/**
 * cilium-health for L2: every candidate node probes the IPs another node holds, IPv4 with ARP probes (RFC 5227) and
 * IPv6 with DAD-form Neighbor Solicitations (RFC 4862 5.4.2), both of which no receiver learns anything from, and the other agents' health endpoints, and classifies what answered (ok, no-answer,
 * wrong-responder, split-brain, unverified). Pure parts: {@link dev.l2announcer.health.VipTargets},
 * {@link dev.l2announcer.health.ProbeClassifier}, {@link dev.l2announcer.health.ProbeScheduler}.
 *
 * <p>Threads: one probe thread ({@code l2-health-probes}) runs the rounds; results are published as immutable reports.
 *
 * <p>Invariant: health observes, it never changes announcements; probes are bounded per second and spread over the
 * interval; Events are rate-limited per (Service, reason).
 */
package dev.l2announcer.health;
