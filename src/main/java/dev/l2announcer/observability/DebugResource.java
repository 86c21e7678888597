package dev.l2announcer.observability;

import io.vertx.core.http.HttpServerRequest;
import jakarta.enterprise.inject.Instance;
import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.NoSuchElementException;

/**
 * Read-only debug views over HTTP. The agent runs on the host network and /q/metrics must be
 * scrapeable from outside, so the port cannot be bound to loopback alone: instead every debug
 * request not coming from a loopback address is refused.
 */
@Path("/debug")
public class DebugResource {
    @Inject
    Instance<DebugViews> views;

    @Context
    HttpServerRequest request;

    @GET
    @Produces(MediaType.APPLICATION_JSON)
    public Response index() {
        if (!fromLoopback(request)) {
            return forbidden();
        }
        return Response.ok(DebugViews.NAMES).build();
    }

    @GET
    @Path("{view}")
    @Produces(MediaType.APPLICATION_JSON)
    public Response view(@PathParam("view") String view) {
        if (!fromLoopback(request)) {
            return forbidden();
        }
        if (!views.isResolvable()) {
            return Response.status(Response.Status.SERVICE_UNAVAILABLE).entity("\"agent not started\"").build();
        }
        try {
            return Response.ok(views.get().json(view)).build();
        } catch (NoSuchElementException e) {
            return Response.status(Response.Status.NOT_FOUND).entity("\"" + e.getMessage() + "\"").build();
        }
    }

    /** Debug views are served to localhost only (also /debug/health). */
    static boolean fromLoopback(HttpServerRequest request) {
        return isLoopback(request.remoteAddress() == null ? null : request.remoteAddress().hostAddress());
    }

    static boolean isLoopback(String host) {
        if (host == null || host.isEmpty() || !(host.indexOf(':') >= 0 || Character.isDigit(host.charAt(0)))) {
            return false; // only literal addresses: never resolve names here
        }
        try {
            return InetAddress.getByName(host).isLoopbackAddress();
        } catch (UnknownHostException e) {
            return false;
        }
    }

    private static Response forbidden() {
        return Response.status(Response.Status.FORBIDDEN).entity("\"debug views are served to localhost only\"").build();
    }
}
