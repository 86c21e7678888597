package dev.l2announcer.health;

import dev.l2announcer.time.Ticker;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.ConnectException;
import java.net.Inet6Address;
import java.net.InetSocketAddress;
import java.net.NoRouteToHostException;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;

/**
 * Host connectivity as cilium-health's "HTTP via L3": GET {@value NodeHealthEndpoint#PATH} on the
 * node's InternalIP, RTT from connect to the end of the response. A plain blocking socket on the
 * calling thread (not java.net.http): the socket is created in the calling thread's network
 * namespace, one request needs no connection pool, and the whole exchange is bounded by one timeout.
 * The body must name the node: an endpoint answering under another name means the IP moved.
 */
public final class NodeProber {
    private static final int MAX_RESPONSE = 4096;

    private final int port;
    private final Duration timeout;
    private final Ticker ticker;
    private final Clock clock;

    public NodeProber(int port, Duration timeout, Ticker ticker, Clock clock) {
        this.port = port;
        this.timeout = timeout;
        this.ticker = ticker;
        this.clock = clock;
    }

    public NodeProbeResult probe(NodeTarget target) {
        long start = ticker.nanoTime();
        try {
            String response = exchange(target, NodeHealthEndpoint.PATH, start);
            Duration rtt = Duration.ofNanos(ticker.nanoTime() - start);
            return check(target, response, rtt);
        } catch (SocketTimeoutException e) {
            return fail(target, "timeout after " + timeout.toMillis() + "ms");
        } catch (ConnectException e) {
            return fail(target, "connection refused");
        } catch (NoRouteToHostException e) {
            return fail(target, "no route to host");
        } catch (IOException e) {
            return fail(target, e.getClass().getSimpleName() + ": " + e.getMessage());
        }
    }

    /**
     * GET {@code pathAndQuery} on the node's agent: the body when it answered 200, empty on any failure (refused,
     * timeout, other status), all within this prober's timeout.
     */
    public java.util.Optional<String> get(NodeTarget target, String pathAndQuery) {
        try {
            String response = exchange(target, pathAndQuery, ticker.nanoTime());
            String status = response.lines().findFirst().orElse("");
            return status.matches("HTTP/1\\.[01] 200( .*)?") ? java.util.Optional.of(body(response)) : java.util.Optional.empty();
        } catch (IOException e) {
            return java.util.Optional.empty();
        }
    }

    /** One HTTP/1.1 GET on a fresh socket, bounded by the timeout overall. */
    private String exchange(NodeTarget target, String pathAndQuery, long start) throws IOException {
        int timeoutMs = (int) Math.max(1, timeout.toMillis());
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress(target.address(), port), timeoutMs);
            s.setSoTimeout(timeoutMs);
            String host = target.address() instanceof Inet6Address
                    ? "[" + target.address().getHostAddress() + "]" : target.address().getHostAddress();
            s.getOutputStream().write(("GET " + pathAndQuery + " HTTP/1.1\r\nHost: " + host + ":" + port
                    + "\r\nConnection: close\r\nUser-Agent: l2-announcer-health\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            return readBounded(s.getInputStream(), start, timeoutMs);
        }
    }

    private NodeProbeResult check(NodeTarget target, String response, Duration rtt) {
        String status = response.lines().findFirst().orElse("");
        if (!status.matches("HTTP/1\\.[01] 200( .*)?")) {
            return fail(target, "HTTP " + (status.isEmpty() ? "empty response" : status));
        }
        String body = body(response);
        if (!body.equals(target.name())) {
            return fail(target, "answered as '" + body + "'");
        }
        return new NodeProbeResult(target, true, rtt, "", clock.instant());
    }

    /** The response body, stripped; de-chunked when the server used chunked transfer encoding. */
    static String body(String response) {
        int headerEnd = response.indexOf("\r\n\r\n");
        if (headerEnd < 0) {
            return "";
        }
        String headers = response.substring(0, headerEnd).toLowerCase(java.util.Locale.ROOT);
        String raw = response.substring(headerEnd + 4);
        if (!headers.matches("(?s).*\r\ntransfer-encoding:[ \t]*chunked.*")) {
            return raw.strip();
        }
        StringBuilder out = new StringBuilder();
        int i = 0;
        while (i < raw.length()) {
            int eol = raw.indexOf("\r\n", i);
            if (eol < 0) {
                break;
            }
            int size;
            try {
                size = Integer.parseInt(raw.substring(i, eol).split(";", 2)[0].strip(), 16);
            } catch (NumberFormatException e) {
                return "";
            }
            if (size == 0 || eol + 2 + size > raw.length()) {
                break;
            }
            out.append(raw, eol + 2, eol + 2 + size);
            i = eol + 2 + size + 2;
        }
        return out.toString().strip();
    }

    private NodeProbeResult fail(NodeTarget target, String why) {
        return new NodeProbeResult(target, false, null, why, clock.instant());
    }

    /** Reads to EOF, at most MAX_RESPONSE bytes and within the timeout overall (not per read). */
    private String readBounded(InputStream in, long start, int timeoutMs) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] buf = new byte[1024];
        int n;
        while ((n = in.read(buf)) >= 0) {
            out.write(buf, 0, n);
            if (out.size() > MAX_RESPONSE) {
                throw new IOException("response larger than " + MAX_RESPONSE + " bytes");
            }
            if (ticker.nanoTime() - start > timeoutMs * 1_000_000L) {
                throw new SocketTimeoutException("response not complete in time");
            }
        }
        return out.toString(StandardCharsets.UTF_8);
    }
}
