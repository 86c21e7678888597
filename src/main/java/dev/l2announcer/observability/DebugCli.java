package dev.l2announcer.observability;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * {@code l2-announcer dbg <view> [-o json] [--port N]} (the packaged launcher; {@code java -jar
 * quarkus-run.jar dbg ...} works too): reads a view from the running agent's localhost debug endpoint
 * and prints it. Plain JDK HTTP client, no Quarkus boot, so it is cheap to run inside the agent's pod
 * ({@code kubectl exec ... -- /app/l2-announcer dbg announcements}).
 */
public final class DebugCli {
    public static final int DEFAULT_PORT = 9890;
    static final String HEALTH = "health";

    private DebugCli() {
    }

    /** @return process exit code: 0 ok, 1 agent unreachable or error, 2 usage, 3 doctor found a FAIL */
    public static int run(List<String> args, PrintStream out, PrintStream err) {
        String view = null;
        boolean json = false;
        boolean probe = false;
        String host = "127.0.0.1";
        int port = portFromEnv();
        for (int i = 0; i < args.size(); i++) {
            String a = args.get(i);
            switch (a) {
                case "-o", "--output" -> {
                    if (i + 1 >= args.size()) return usage(err, "missing value for " + a);
                    String fmt = args.get(++i);
                    if (!fmt.equals("json") && !fmt.equals("table")) return usage(err, "output must be json or table");
                    json = fmt.equals("json");
                }
                case "--port" -> {
                    if (i + 1 >= args.size()) return usage(err, "missing value for --port");
                    try {
                        port = Integer.parseInt(args.get(++i));
                    } catch (NumberFormatException e) {
                        return usage(err, "bad port " + args.get(i));
                    }
                }
                case "--host" -> {
                    if (i + 1 >= args.size()) return usage(err, "missing value for --host");
                    host = args.get(++i);
                }
                case "--probe" -> probe = true;
                case "-h", "--help", "help" -> {
                    usage(out, null);
                    return 0;
                }
                default -> {
                    if (a.startsWith("-") || view != null) return usage(err, "unexpected argument " + a);
                    view = a;
                }
            }
        }
        if (view == null) return usage(err, "which view?");
        if (probe && !view.equals(HEALTH)) return usage(err, "--probe is for dbg health only");
        if (!DebugViews.NAMES.contains(view) && !view.equals(HEALTH)) return usage(err, "unknown view " + view);
        // health is a status report (cilium-health status layout), not a table: the agent renders it.
        String path = requestPath(view, json, probe);
        String body;
        try (HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(3)).build()) {
            HttpResponse<String> resp = http.send(HttpRequest.newBuilder(URI.create("http://" + host + ":" + port + path))
                    .timeout(Duration.ofSeconds(probe ? 300 : 30)).GET().build(), HttpResponse.BodyHandlers.ofString());
            if (resp.statusCode() != 200) {
                err.println("agent answered HTTP " + resp.statusCode() + ": " + resp.body());
                return 1;
            }
            body = resp.body();
        } catch (IOException e) {
            err.println("cannot reach the agent at " + host + ":" + port + " (" + e + "); is it running? --port N if not 9890");
            return 1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return 1;
        }
        if (view.equals(HEALTH)) {
            out.print(body.endsWith("\n") ? body : body + "\n");
            return 0;
        }
        List<Map<String, Object>> rows;
        try {
            rows = new ObjectMapper().readValue(body, new TypeReference<>() { });
        } catch (IOException e) {
            err.println("unexpected answer from the agent: " + e.getMessage());
            return 1;
        }
        out.print(json ? body.endsWith("\n") ? body : body + "\n" : TextTable.render(rows));
        if (view.equals("doctor") && rows.stream().anyMatch(r -> "FAIL".equals(r.get("status")))) {
            return 3;
        }
        return 0;
    }

    static String requestPath(String view, boolean json, boolean probe) {
        return view.equals(HEALTH) ? "/debug/health?o=" + (json ? "json" : "text") + (probe ? "&probe=true" : "")
                : "/debug/" + view;
    }

    /** Inside the agent's container the CLI finds the port the agent was given (debug-port / Quarkus). */
    private static int portFromEnv() {
        for (String name : List.of("L2ANNOUNCER_DEBUG_PORT", "DEBUG_PORT", "QUARKUS_HTTP_PORT")) {
            String p = System.getenv(name);
            if (p != null && !p.isBlank()) {
                try {
                    return Integer.parseInt(p.trim());
                } catch (NumberFormatException e) {
                    // not a port: try the next source
                }
            }
        }
        return DEFAULT_PORT;
    }

    private static int usage(PrintStream s, String problem) {
        if (problem != null) s.println("dbg: " + problem);
        s.println("usage: dbg <view> [-o json|table] [--port N] [--host 127.0.0.1]");
        s.println("       dbg health [--probe] [-o json]   (L2 health: node and announced-IP probes)");
        s.println("views: " + String.join(", ", DebugViews.NAMES) + ", " + HEALTH);
        return problem == null ? 0 : 2;
    }
}
