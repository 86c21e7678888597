package dev.l2announcer.agent;

import dev.l2announcer.health.OutageAgreement;
import jakarta.enterprise.inject.Instance;
import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

/**
 * {@value OutageAgreement#PATH}{@code ?from=<node>} on the agent's HTTP server (host network, debugPort): a holder
 * that cannot reach the API asks its candidates whether they cannot either ({@link OutageAgreement}). Open to
 * every source like {@code /healthz/node}: it says only this node's name and whether it reaches the API, and an
 * "unreachable" answer only makes this node hold back (promise not to take {@code from}'s leases for a while).
 */
@Path(OutageAgreement.PATH)
public class OutageVoteResource {
    @Inject
    Instance<AgentRuntime> agent;

    @GET
    @Produces(MediaType.TEXT_PLAIN)
    public Response vote(@QueryParam("from") String from) {
        if (!agent.isResolvable()) {
            return Response.status(Response.Status.SERVICE_UNAVAILABLE).entity("agent not started\n").build();
        }
        AgentRuntime a = agent.get();
        return Response.ok(OutageAgreement.answer(a.outageVotes(), a.config().nodeName(), from) + "\n").build();
    }
}
