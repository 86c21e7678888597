/**
 * The demo's embedded Kubernetes API: fabric8's CRUD mock server (the store, resourceVersion conflicts,
 * WebSocket watches: the semantics the agent is tested against) behind {@link
 * dev.l2announcer.demo.api.KubectlDispatcher}, which adds what kubectl needs: discovery, OpenAPI v2
 * (JSON and protobuf) from the CRDs in the store, server-side tables, the core/v1 view of events,
 * merge and strategic merge patches, Status errors.
 *
 * <p>Threads: requests are served one at a time on the mock server's event loop; the only state is the
 * store (and a cache of the served resources, dropped whenever a CRD changes). Invariant: a fabric8
 * client gets what the plain mock gives it (the same objects, resourceVersions, 409 conflicts and watch
 * events); only merge patches follow RFC 7386 here and errors carry Status bodies.
 */
package dev.l2announcer.demo.api;
