/**
 * The composition root: builds one {@link dev.l2announcer.agent.AgentRuntime} from the real parts (informer-backed
 * selection, the election engine on its Lease store, the kernel datapath) or from in-memory ones in tests, starts it
 * with Quarkus and stops it on SIGTERM: entries withdrawn and confirmed, then leases released, then handles closed
 * (pins kept). Readiness and liveness are answered from the parts' own state, never from the API server.
 */
package dev.l2announcer.agent;
