package dev.l2announcer.health;

import jakarta.enterprise.inject.Instance;
import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

/**
 * {@value NodeHealthEndpoint#PATH} on the agent's HTTP server (host network, debugPort): what other
 * agents' {@link NodeProber} call. Open to every source, unlike /debug: it only says the node name.
 * 503 until the agent has wired its {@link HealthMonitor}, so "down" also covers a half-started agent.
 */
@Path(NodeHealthEndpoint.PATH)
public class NodeHealthResource {
    @Inject
    Instance<HealthMonitor> monitor;

    @GET
    @Produces(MediaType.TEXT_PLAIN)
    public Response node() {
        if (!monitor.isResolvable()) {
            return Response.status(Response.Status.SERVICE_UNAVAILABLE).entity("agent not started\n").build();
        }
        return Response.ok(monitor.get().selfNode() + "\n").build();
    }
}
