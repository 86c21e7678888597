package dev.l2announcer.demo;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/** The client side of {@link dev.l2announcer.demo.api.EmbeddedApiServer}'s line protocol (the server runs in the API netns). */
final class ApiControl {
    private final OutputStream in;
    private final BlockingQueue<String> lines = new LinkedBlockingQueue<>();
    private final String url;
    private final long pid;

    ApiControl(Process server, Duration startTimeout) {
        this.pid = server.pid();
        this.in = server.getOutputStream();
        BufferedReader out = new BufferedReader(new InputStreamReader(server.getInputStream(), StandardCharsets.UTF_8));
        Thread.ofPlatform().daemon().name("mock-api-out").start(() -> {
            try {
                String l;
                while ((l = out.readLine()) != null) {
                    lines.add(l);
                }
            } catch (IOException ignored) {
                // process ended
            }
            lines.add("ERR mock API server exited");
        });
        String ready = next(startTimeout);
        if (!ready.startsWith("READY ")) {
            throw new IllegalStateException("mock API server did not start: " + ready);
        }
        this.url = ready.substring(6);
    }

    String url() {
        return url;
    }

    /** The API server's process id (it runs in the API namespace). */
    long pid() {
        return pid;
    }

    synchronized String call(String... words) {
        try {
            in.write((String.join(" ", words) + "\n").getBytes(StandardCharsets.UTF_8));
            in.flush();
        } catch (IOException e) {
            throw new IllegalStateException("mock API server gone", e);
        }
        String answer = next(Duration.ofSeconds(20));
        if (!answer.startsWith("OK ")) {
            throw new IllegalStateException(String.join(" ", words).substring(0, Math.min(60, String.join(" ", words).length()))
                    + " -> " + answer);
        }
        return answer.substring(3);
    }

    private String next(Duration timeout) {
        try {
            String l = lines.poll(timeout.toMillis(), TimeUnit.MILLISECONDS);
            if (l == null) {
                throw new IllegalStateException("no answer from mock API server within " + timeout);
            }
            return l;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** A Ready Node with {@code labels} (k=v,k=v) and its InternalIP addresses. */
    void node(String name, String labels, java.net.InetAddress... internalIps) {
        call("node", name, labels, java.util.Arrays.stream(internalIps).map(java.net.InetAddress::getHostAddress)
                .collect(java.util.stream.Collectors.joining(",")));
    }

    void policy(String yaml) {
        call("policy", b64(yaml));
    }

    void service(String yaml) {
        call("service", b64(yaml));
    }

    /** Writes {@code status.loadBalancer.ingress[].ip}, one entry per IP, as a LB IPAM would. */
    void serviceLoadBalancerIp(String namespace, String name, String... ips) {
        call("service-lb-ip", namespace, name, String.join(",", ips));
    }

    void deleteService(String namespace, String name) {
        call("delete-service", namespace, name);
    }

    void deletePolicy(String name) {
        call("delete-policy", name);
    }

    /**
     * A foreign writer: sets the Lease's holder to {@code holder}, renewed now, for {@code seconds}, as another
     * client-go elector that took it over would (unconditional update, new resourceVersion).
     */
    void writeLeaseHolder(String namespace, String name, String holder, int seconds) {
        call("lease-write", namespace, name, holder, String.valueOf(seconds));
    }

    /** Holder identity of a Lease, or "-" when there is none (or no Lease). */
    String leaseHolder(String namespace, String name) {
        return call("lease", namespace, name);
    }

    Map<String, String> leases(String namespace) {
        Map<String, String> m = new LinkedHashMap<>();
        String all = call("leases", namespace);
        if (!all.isBlank()) {
            for (String kv : all.split(",")) {
                String[] p = kv.split("=", 2);
                m.put(p[0], p[1]);
            }
        }
        return m;
    }

    private static String b64(String s) {
        return Base64.getEncoder().encodeToString(s.getBytes(StandardCharsets.UTF_8));
    }
}
