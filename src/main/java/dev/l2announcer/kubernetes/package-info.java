/**
 * The agent's one Kubernetes client: Quarkus's client plus Cilium's {@code k8s-client-qps} / {@code k8s-client-burst}
 * token bucket on every request, and the start-up check that Vert.x runs on native epoll. Thread-safe; shared by
 * JOSDK, every informer and the election's store (which takes a copy without retries).
 */
package dev.l2announcer.kubernetes;
