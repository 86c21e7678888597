package dev.l2announcer.health;

import com.sun.net.httpserver.HttpServer;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Executors;

/**
 * The endpoint other agents probe: {@code GET /healthz/node} answers 200 with this node's name.
 * The agent serves {@link #PATH} on its own HTTP server (host network, {@code debugPort}); this
 * class is the same contract as a stand-alone minimal server (tests, or an agent without the
 * Quarkus HTTP server). Bind it from a thread in the wanted network namespace.
 */
public final class NodeHealthEndpoint implements AutoCloseable {
    public static final String PATH = "/healthz/node";

    private final HttpServer server;

    private NodeHealthEndpoint(HttpServer server) {
        this.server = server;
    }

    public static NodeHealthEndpoint start(InetSocketAddress bind, String nodeName) throws IOException {
        HttpServer server = HttpServer.create(bind, 16);
        byte[] body = (nodeName + "\n").getBytes(StandardCharsets.UTF_8);
        server.createContext(PATH, exchange -> {
            try (exchange) {
                if (!"GET".equals(exchange.getRequestMethod()) || !PATH.equals(exchange.getRequestURI().getPath())) {
                    exchange.sendResponseHeaders(404, -1);
                    return;
                }
                exchange.getResponseHeaders().set("Content-Type", "text/plain; charset=utf-8");
                exchange.sendResponseHeaders(200, body.length);
                try (OutputStream os = exchange.getResponseBody()) {
                    os.write(body);
                }
            }
        });
        server.setExecutor(Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "node-health-endpoint");
            t.setDaemon(true);
            return t;
        }));
        server.start();
        return new NodeHealthEndpoint(server);
    }

    public InetSocketAddress address() {
        return server.getAddress();
    }

    @Override
    public void close() {
        server.stop(0);
        if (server.getExecutor() instanceof java.util.concurrent.ExecutorService es) {
            es.shutdownNow();
        }
    }
}
