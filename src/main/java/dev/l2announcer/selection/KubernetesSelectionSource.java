package dev.l2announcer.selection;

import dev.l2announcer.config.AgentConfig;
import dev.l2announcer.kubernetes.SharedInformers;
import dev.l2announcer.datapath.Devices;
import dev.l2announcer.policy.CiliumL2AnnouncementPolicy;
import dev.l2announcer.policy.PolicyValidator;
import dev.l2announcer.policy.ValidatedPolicy;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import org.jboss.logging.Logger;

import java.net.InetAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * The selection stage wired to the cluster: one informer each for CiliumL2AnnouncementPolicies,
 * Services (all namespaces), EndpointSlices (all namespaces, those owned by a Service) and Nodes,
 * plus this node's {@link Devices}. Every relevant change signals a {@link RecomputeDebouncer}; the
 * recompute reads the informer caches, runs {@link SelectionCalculator} and publishes the snapshot
 * only when it differs from the current one. Nothing is published before every informer has
 * synced, so consumers never see a partial cluster as "nothing to announce".
 *
 * <p>Group names stick to the Leases that exist ({@link GroupNaming}) once the agent's Lease informer is given
 * with {@link #useLeases}; only add, delete and changes of a Lease's recorded addresses signal, not renewals.
 *
 * <p>Updates that cannot change the result (Node heartbeats, Service status churn other than
 * ingress IPs, EndpointSlice changes that keep the sets of ready and serving+terminating nodes) are filtered before they
 * signal, by comparing the extracted records.
 */
public final class KubernetesSelectionSource implements SelectionSource, AutoCloseable {
    private static final Logger LOG = Logger.getLogger(KubernetesSelectionSource.class);

    private final KubernetesClient client;
    private final SharedInformers shared;
    private final boolean ownsInformers;
    private final Devices devices;
    private final String localNode;
    private final DeviceNameFilter deviceFilter;
    private final boolean enableExternalIps;
    private final RecomputeDebouncer debouncer;
    private final SnapshotPublisher publisher = new SnapshotPublisher(SelectionSnapshot.EMPTY);
    private final AtomicLong publishes = new AtomicLong();
    private final List<SharedIndexInformer<?>> informers = new ArrayList<>();

    private SharedIndexInformer<CiliumL2AnnouncementPolicy> policyInformer;
    private SharedIndexInformer<Service> serviceInformer;
    private SharedIndexInformer<EndpointSlice> sliceInformer;
    private SharedIndexInformer<Node> nodeInformer;
    /** The agent's Lease informer (not ours: never started or closed here), or null. */
    private volatile SharedIndexInformer<Lease> leaseInformer;
    private boolean leasesNotSyncedLogged;
    /** The agent's wiring: name groups from the shared Lease informer (made at start, not before). */
    private boolean namesFromSharedLeases;
    private AutoCloseable deviceSubscription;
    /** Every informer has listed its resources once. */
    private volatile boolean synced;
    /** The first recompute after sync has completed (its snapshot, even EMPTY, is current). */
    private volatile boolean firstSnapshotReady;
    private volatile boolean closed;

    /**
     * @param localNode         this agent's node name (AgentConfig.nodeName)
     * @param devicesOption     the agent's {@code devices} option (AgentConfig.devices)
     * @param enableExternalIps the agent's {@code enable-external-ips} option
     * @param scheduler         runs recomputes; give it a single thread so recomputes never overlap
     * @param debounce          delay between the first change of a burst and its recompute
     */
    public KubernetesSelectionSource(KubernetesClient client, Devices devices, String localNode,
                                     List<String> devicesOption, boolean enableExternalIps,
                                     RecomputeDebouncer.Scheduler scheduler, Duration debounce) {
        this(client, new SharedInformers(client, "kube-system"), true, devices, localNode, devicesOption,
                enableExternalIps, scheduler, debounce);
    }

    private KubernetesSelectionSource(KubernetesClient client, SharedInformers shared, boolean ownsInformers,
                                      Devices devices, String localNode, List<String> devicesOption,
                                      boolean enableExternalIps, RecomputeDebouncer.Scheduler scheduler, Duration debounce) {
        this.client = Objects.requireNonNull(client);
        this.shared = shared;
        this.ownsInformers = ownsInformers;
        this.devices = Objects.requireNonNull(devices);
        this.localNode = Objects.requireNonNull(localNode);
        this.deviceFilter = new DeviceNameFilter(devicesOption);
        this.enableExternalIps = enableExternalIps;
        this.debouncer = new RecomputeDebouncer(scheduler, debounce, this::recompute);
    }

    /**
     * The agent's wiring: over its one set of informers (not started, stopped or closed here; their Leases name
     * the groups), with its node name, {@code devices} and {@code enable-external-ips}.
     */
    public static KubernetesSelectionSource over(SharedInformers informers, KubernetesClient client, Devices devices,
                                                 AgentConfig config, RecomputeDebouncer.Scheduler scheduler, Duration debounce) {
        KubernetesSelectionSource s = new KubernetesSelectionSource(client, informers, false, devices, config.nodeName(),
                config.devices(), config.enableExternalIps(), scheduler, debounce);
        s.namesFromSharedLeases = true;
        return s;
    }

    /** Wiring from the agent's configuration with informers of its own (tests, the simulated demo). */
    public static KubernetesSelectionSource fromConfig(KubernetesClient client, Devices devices, AgentConfig config,
                                                       RecomputeDebouncer.Scheduler scheduler, Duration debounce) {
        return new KubernetesSelectionSource(client, devices, config.nodeName(), config.devices(),
                config.enableExternalIps(), scheduler, debounce);
    }

    /**
     * Names groups after the announcement Leases that exist, so that a group keeps its Lease while any member
     * remains, on every agent alike ({@link GroupNaming}). {@code leases} is the agent's one informer of the
     * lease namespace's Leases (other Leases in it are ignored); this source adds a handler to it and reads its
     * store, but neither starts nor closes it, and publishes nothing before it has synced. Call before
     * {@link #start()}. Without it, a group is named after its first member, so deleting that member renames
     * its Lease.
     */
    public synchronized void useLeases(SharedIndexInformer<Lease> leases) {
        if (!informers.isEmpty()) {
            throw new IllegalStateException("useLeases must be called before start");
        }
        this.leaseInformer = Objects.requireNonNull(leases);
    }

    /** Starts the informers and the device subscription; the first snapshot follows their sync. */
    public synchronized void start() {
        if (!informers.isEmpty()) {
            throw new IllegalStateException("already started");
        }
        if (namesFromSharedLeases) {
            leaseInformer = shared.leases();
        }
        if (leaseInformer != null) {
            // Announcement Leases only; renewals keep name, creation and recorded addresses: no signal.
            leaseInformer.addEventHandler(handler(KubernetesInputs::lease, true));
        }
        policyInformer = shared.policies();
        // Spec as JSON: generation is the API server's job and a fake server may not bump it.
        policyInformer.addEventHandler(handler(p -> client.getKubernetesSerialization().asJson(p.getSpec())));
        serviceInformer = shared.services();
        serviceInformer.addEventHandler(handler(KubernetesInputs::service));
        sliceInformer = shared.endpointSlices();
        sliceInformer.addEventHandler(handler(s -> KubernetesInputs.endpointNodes(List.of(s))));
        nodeInformer = shared.nodes();
        nodeInformer.addEventHandler(handler(KubernetesInputs::node));
        informers.addAll(List.of(policyInformer, serviceInformer, sliceInformer, nodeInformer));

        deviceSubscription = devices.subscribe(debouncer::signal);
        // Starts what the agent made so far (a later start by the agent is the same start).
        shared.start().whenComplete((ok, err) -> {
            if (err != null) {
                LOG.error("selection informers failed to start; no snapshot will be published", err);
                return;
            }
            synced = true;
            debouncer.signal();
        });
    }

    /**
     * Whether every informer has listed its resources and the first snapshot computed from them has been
     * published (or found equal to the current one): only then does {@link #current()} describe the cluster.
     */
    public boolean synced() {
        return firstSnapshotReady;
    }

    /** Every informer has listed its resources (the first snapshot may not be computed yet). */
    boolean informersSynced() {
        return synced;
    }

    /** Recomputes run so far (bounded by the debounce, whatever the number of API events). */
    public long recomputes() {
        return debouncer.runs();
    }

    /** Snapshots published so far (only changed ones are published). */
    public long publishes() {
        return publishes.get();
    }

    @Override
    public SelectionSnapshot current() {
        return publisher.current();
    }

    @Override
    public AutoCloseable subscribe(Consumer<SelectionSnapshot> listener) {
        return publisher.subscribe(listener);
    }

    @Override
    public synchronized void close() {
        closed = true;
        if (ownsInformers) {
            shared.close();
        }
        informers.clear();
        if (deviceSubscription != null) {
            try {
                deviceSubscription.close();
            } catch (Exception e) {
                LOG.warn("closing the device subscription failed", e);
            }
        }
    }

    private void recompute() {
        // The scheduler is not ours: a run queued before close() may still arrive.
        if (!synced || closed) {
            return;
        }
        SharedIndexInformer<Lease> leases = leaseInformer;
        if (leases != null && !leases.hasSynced()) {
            // Naming without the Leases could rename groups that keep a Lease: wait (polled at the debounce).
            if (!leasesNotSyncedLogged) {
                LOG.info("selection waits for the Lease informer to sync before its first snapshot");
                leasesNotSyncedLogged = true;
            }
            debouncer.signal();
            return;
        }
        List<ValidatedPolicy> policies = policyInformer.getStore().list().stream()
                .map(PolicyValidator::validate).toList();
        List<ServiceState> services = serviceInformer.getStore().list().stream()
                .map(KubernetesInputs::service).toList();
        Map<ServiceRef, EndpointNodes> endpoints = KubernetesInputs.endpointNodes(sliceInformer.getStore().list());
        List<NodeState> nodes = nodeInformer.getStore().list().stream().map(KubernetesInputs::node).toList();
        List<ExistingLease> existing = List.of();
        Map<InetAddress, String> previous = Map.of();
        if (leases != null) {
            existing = leases.getStore().list().stream().map(KubernetesInputs::lease).filter(Objects::nonNull).toList();
            previous = announcedUnder(publisher.current());
        }
        SelectionInputs inputs = new SelectionInputs(policies, services, endpoints, nodes, localNode, devices.list(),
                deviceFilter, enableExternalIps, existing, previous);
        SelectionSnapshot next = SelectionCalculator.compute(inputs);
        if (!next.equals(publisher.current())) {
            publishes.incrementAndGet();
            LOG.debugf("selection changed: %d groups, version %x", next.groups().size(), next.version());
            publisher.publish(next);
        }
        firstSnapshotReady = true;
    }

    /** Every address of {@code snapshot} with the lease it is announced under. */
    private static Map<InetAddress, String> announcedUnder(SelectionSnapshot snapshot) {
        Map<InetAddress, String> out = new HashMap<>();
        for (AnnouncementGroup g : snapshot.groups().values()) {
            for (AddressOnInterfaces a : g.addresses()) {
                out.put(a.address(), g.leaseName());
            }
        }
        return out;
    }

    /** Signals a recompute on add/delete, and on update only when {@code relevant} extracts different values. */
    private <T extends HasMetadata> ResourceEventHandler<T> handler(Function<T, ?> relevant) {
        return handler(relevant, false);
    }

    /**
     * As {@link #handler(Function)}; with {@code onlyWhenRelevant}, objects from which {@code relevant} extracts
     * null (e.g. Leases that are not announcement Leases) never signal.
     */
    private <T extends HasMetadata> ResourceEventHandler<T> handler(Function<T, ?> relevant, boolean onlyWhenRelevant) {
        return new ResourceEventHandler<>() {
            @Override
            public void onAdd(T obj) {
                if (!onlyWhenRelevant || relevant.apply(obj) != null) {
                    debouncer.signal();
                }
            }

            @Override
            public void onUpdate(T oldObj, T newObj) {
                if (!Objects.equals(relevant.apply(oldObj), relevant.apply(newObj))) {
                    debouncer.signal();
                }
            }

            @Override
            public void onDelete(T obj, boolean deletedFinalStateUnknown) {
                if (!onlyWhenRelevant || relevant.apply(obj) != null) {
                    debouncer.signal();
                }
            }
        };
    }
}
