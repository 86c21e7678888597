package dev.l2announcer.observability;

import dev.l2announcer.health.HealthMonitor;
import dev.l2announcer.health.HealthReport;
import dev.l2announcer.health.HealthReportFormat;
import io.vertx.core.http.HttpServerRequest;
import jakarta.enterprise.inject.Instance;
import jakarta.inject.Inject;
import jakarta.ws.rs.DefaultValue;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

/**
 * {@code /debug/health[?probe=true][&o=json]}: the L2 health status ({@code dbg health}), latest
 * results, or a synchronous probe of everything first (cilium-health's {@code --probe}).
 * Localhost only, as every /debug view.
 */
@Path("/debug/health")
public class HealthDebugResource {
    @Inject
    Instance<HealthMonitor> monitor;

    @Context
    HttpServerRequest request;

    @GET
    public Response health(@QueryParam("probe") @DefaultValue("false") boolean probe,
                           @QueryParam("o") @DefaultValue("text") String format) throws InterruptedException {
        if (!DebugResource.fromLoopback(request)) {
            return Response.status(Response.Status.FORBIDDEN).entity("debug views are served to localhost only\n").build();
        }
        if (!monitor.isResolvable()) {
            return Response.status(Response.Status.SERVICE_UNAVAILABLE).entity("health monitor not started\n").build();
        }
        HealthReport r = probe ? monitor.get().probeNow() : monitor.get().report();
        return "json".equals(format)
                ? Response.ok(HealthReportFormat.json(r), MediaType.APPLICATION_JSON).build()
                : Response.ok(HealthReportFormat.text(r), MediaType.TEXT_PLAIN).build();
    }
}
