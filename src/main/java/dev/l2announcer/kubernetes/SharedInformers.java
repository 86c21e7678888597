package dev.l2announcer.kubernetes;

import dev.l2announcer.policy.CiliumL2AnnouncementPolicy;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import org.jboss.logging.Logger;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;

/**
 * The agent's one informer per kind it watches: Leases of the lease namespace (election, health, selection's
 * group naming), Nodes (selection, health), policies (selection, status, error gauge), Services and
 * EndpointSlices (selection). Every Lease renew used to fan out to two watches per agent and every Node
 * heartbeat too. An informer is made on first request (a disabled agent makes none); consumers add their
 * handlers, then the agent starts them all once.
 *
 * <p>Every informer retries on any error, its first list included: fabric8 7's default stops an informer
 * whose first list fails (an API server that is down while the agent starts), which then never syncs.
 * Thread-safe.
 */
public final class SharedInformers implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(SharedInformers.class);
    /** Only EndpointSlices owned by a Service (kubernetes.io/service-name) matter to selection. */
    public static final String SERVICE_NAME_LABEL = "kubernetes.io/service-name";

    private final KubernetesClient client;
    private final String leaseNamespace;
    private final Map<String, SharedIndexInformer<?>> informers = new LinkedHashMap<>();
    private final List<CompletableFuture<?>> startFutures = new ArrayList<>();
    private boolean started;
    private boolean closed;

    public SharedInformers(KubernetesClient client, String leaseNamespace) {
        this.client = client;
        this.leaseNamespace = leaseNamespace;
    }

    public SharedIndexInformer<Lease> leases() {
        return get("leases", () -> client.leases().inNamespace(leaseNamespace).runnableInformer(0));
    }

    public SharedIndexInformer<Node> nodes() {
        return get("nodes", () -> client.nodes().runnableInformer(0));
    }

    public SharedIndexInformer<CiliumL2AnnouncementPolicy> policies() {
        return get("policies", () -> client.resources(CiliumL2AnnouncementPolicy.class).runnableInformer(0));
    }

    public SharedIndexInformer<Service> services() {
        return get("services", () -> client.services().inAnyNamespace().runnableInformer(0));
    }

    public SharedIndexInformer<EndpointSlice> endpointSlices() {
        return get("endpointslices", () -> client.discovery().v1().endpointSlices().inAnyNamespace()
                .withLabel(SERVICE_NAME_LABEL).runnableInformer(0));
    }

    @SuppressWarnings("unchecked")
    private synchronized <T> SharedIndexInformer<T> get(String kind, Supplier<SharedIndexInformer<T>> make) {
        if (closed) throw new IllegalStateException("informers closed");
        return (SharedIndexInformer<T>) informers.computeIfAbsent(kind, k -> {
            SharedIndexInformer<T> i = make.get();
            i.exceptionHandler((isStarted, t) -> {
                LOG.warnf("%s informer: %s; retrying", kind, t.toString());
                return true;
            });
            if (started) startFutures.add(i.start().toCompletableFuture()); // asked for after the others started
            return i;
        });
    }

    /**
     * Starts every informer made so far (once); completes when all of them have listed once. With the retrying
     * exception handler a failing first list does not fail the future: it completes when a later list succeeds.
     */
    public synchronized CompletableFuture<Void> start() {
        if (!started) {
            started = true;
            informers.values().forEach(i -> startFutures.add(i.start().toCompletableFuture()));
        }
        return CompletableFuture.allOf(startFutures.toArray(CompletableFuture[]::new));
    }

    /** Whether every informer made so far has listed once. */
    public synchronized boolean synced() {
        return informers.values().stream().allMatch(SharedIndexInformer::hasSynced);
    }

    /** How many informers (watches) this agent runs, by kind. */
    public synchronized List<String> kinds() {
        return List.copyOf(informers.keySet());
    }

    @Override
    public synchronized void close() {
        closed = true;
        for (SharedIndexInformer<?> i : informers.values()) {
            try {
                i.close();
            } catch (RuntimeException e) {
                LOG.debugf(e, "closing an informer");
            }
        }
        informers.clear();
    }
}
