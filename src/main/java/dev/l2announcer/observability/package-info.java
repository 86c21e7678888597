/**
 * What operators see: Prometheus meters ({@code l2announcer_*}, no per-Service labels), Service Events
 * ({@code L2Announced}, {@code L2AnnounceFailed}), read-only debug views on loopback and the {@code dbg} CLI that
 * reads them without booting the agent, and {@code dbg doctor} (config via {@link dev.l2announcer.config.LeaseTimings},
 * RBAC self-check, stale BPF state).
 *
 * <p>Threads: HTTP and scrape threads read published values of the other packages; the event recorder writes off
 * the announce loop's thread through a bounded queue. Invariant: nothing here changes what is announced.
 */
package dev.l2announcer.observability;
