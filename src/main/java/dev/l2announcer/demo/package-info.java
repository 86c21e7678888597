/**
 * The demo ({@code ./l2a demo}, {@code java -jar quarkus-run.jar demo}) and the harness the e2e tests
 * share with it: a LAN of network namespaces this process creates and deletes ({@link
 * dev.l2announcer.demo.NetnsCluster}, only documentation addresses), packaged agents as processes in
 * it ({@link dev.l2announcer.demo.AgentCluster}), the client's ARP capture and neighbour watch, the
 * embedded Kubernetes API (subpackage {@code api}) reachable by the user's kubectl through a
 * loopback-only forwarder, and the one place for netns and host-command helpers ({@link
 * dev.l2announcer.demo.Netns}, {@link dev.l2announcer.demo.HostCommand}).
 *
 * <p>Threads: the demo's main thread drives the story; capture, probing, forwarding and netns work run
 * on dedicated platform threads (a thread's network namespace is its own). Invariant: nothing is sent
 * on or attached to the host's interfaces; everything created is removed on exit, on Ctrl-C (shutdown
 * hook) and, for a run that died, at the next start.
 */
package dev.l2announcer.demo;
