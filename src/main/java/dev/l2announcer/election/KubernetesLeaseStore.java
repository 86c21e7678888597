package dev.l2announcer.election;

import dev.l2announcer.config.LeaseTimings;
import dev.l2announcer.selection.LeaseNames;
import dev.l2announcer.time.TaskScheduler;
import dev.l2announcer.time.Ticker;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.fabric8.kubernetes.api.model.coordination.v1.LeaseBuilder;
import io.fabric8.kubernetes.api.model.coordination.v1.LeaseSpec;
import io.fabric8.kubernetes.api.model.coordination.v1.LeaseSpecBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.RequestConfigBuilder;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ScheduledExecutorService;
import java.util.function.Function;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.Semaphore;
import org.jboss.logging.Logger;

/**
 * The {@link LeaseStore} on a fabric8 client: the only class of the election that knows fabric8. It holds the
 * request client (no client-side retries or back-off, every request bounded), a small IO pool for the blocking
 * calls (thousands of renewals are short requests; no thread per lease) and the one Lease informer.
 */
public final class KubernetesLeaseStore implements LeaseStore {
    private static final Logger LOG = Logger.getLogger(KubernetesLeaseStore.class);
    /** Blocking requests at once: renewals are short, and a thousand acquisitions at once queue here. */
    public static final int IO_THREADS = 8;
    /** Most blocking requests at once ({@code ioThreads}); the rest wait in order of arrival. */
    private final Semaphore inFlight;

    private final KubernetesClient api;
    private final String namespace;
    private final String namePrefix;
    private final Ticker ticker;
    private final ExecutorService io;
    /** The heartbeat's own lane: never queued behind a burst of renewals (see {@link #write}). */
    private final Semaphore heartbeatLane = new Semaphore(1, true);
    /** Claims on peers' heartbeats: neither behind renewals nor in front of this node's beat (see {@link #claim}). */
    private final Semaphore claimLane = new Semaphore(1, true);
    private final SharedIndexInformer<Lease> informer;
    private final boolean ownsInformer;
    private volatile boolean closed;

    /**
     * @param client         the agent's client; the informer uses it as it is, requests a copy without retries
     * @param namePrefix     only Leases whose names start with it are watched (Cilium's {@code cilium-l2announce-})
     * @param requestTimeout bound of every request
     * @param ioThreads      most blocking requests at once
     */
    public KubernetesLeaseStore(KubernetesClient client, String namespace, String namePrefix, Duration requestTimeout,
                                int ioThreads, Ticker ticker) {
        this(client, new dev.l2announcer.kubernetes.SharedInformers(client, namespace).leases(), true, namespace,
                namePrefix, requestTimeout, ioThreads, ticker);
    }

    /**
     * Over the agent's Lease informer of {@code namespace} (shared with health and selection, started by the
     * agent). The store adds its handler; {@link #stopWatch()} stops it (a leaving agent).
     */
    public KubernetesLeaseStore(KubernetesClient client, SharedIndexInformer<Lease> informer, String namespace,
                                String namePrefix, Duration requestTimeout, int ioThreads, Ticker ticker) {
        this(client, informer, false, namespace, namePrefix, requestTimeout, ioThreads, ticker);
    }

    private KubernetesLeaseStore(KubernetesClient client, SharedIndexInformer<Lease> informer, boolean ownsInformer,
                                 String namespace, String namePrefix, Duration requestTimeout, int ioThreads, Ticker ticker) {
        this.ownsInformer = ownsInformer;
        this.namespace = namespace;
        this.namePrefix = namePrefix;
        this.ticker = ticker;
        // No client-side retries or back-off for election calls: a retried renew could land after renewDeadline.
        this.api = client.newClient(new RequestConfigBuilder()
                        .withRequestRetryBackoffLimit(0)
                        .withRequestTimeout((int) Math.max(1, requestTimeout.toMillis()))
                        .build())
                .adapt(KubernetesClient.class);
        // One virtual thread per request, at most ioThreads in flight (fair semaphore: FIFO, like the queue of
        // a fixed pool). A request blocks only waiting for the API's answer, which unmounts the virtual thread:
        // no platform thread per request slot (a fixed pool of 8 kept all 8 alive, each renew starting the
        // next one below its core size), the carriers are the JDK's shared scheduler.
        this.inFlight = new Semaphore(ioThreads, true);
        this.io = Executors.newThreadPerTaskExecutor(Thread.ofVirtual().name("l2a-election-io-", 1).factory());
        this.informer = informer;
    }

    /**
     * Starts the election engine of this node on its own thread, over a store on {@code client}.
     *
     * @param holderAnnotations annotations written on leases this node acquires or renews (may return empty)
     */
    public static LeaseElectionEngine startElection(KubernetesClient client, String namespace, String identity,
            LeaseTimings timings, MeterRegistry registry, Function<String, Map<String, String>> holderAnnotations) {
        return startElection(client, namespace, identity, timings, ElectionOptions.defaults(timings),
                Ticker.system(), Clock.systemUTC(), registry, holderAnnotations);
    }

    public static LeaseElectionEngine startElection(KubernetesClient client, String namespace, String identity,
            LeaseTimings timings, ElectionOptions options, Ticker ticker, Clock clock, MeterRegistry registry,
            Function<String, Map<String, String>> holderAnnotations) {
        return startElection(new KubernetesLeaseStore(client, namespace, LeaseNames.NAME_PREFIX, timings.requestTimeout(),
                IO_THREADS, ticker), identity, timings, options, ticker, clock, registry, holderAnnotations);
    }

    /** As above over the agent's shared Lease informer of {@code namespace}. */
    public static LeaseElectionEngine startElection(KubernetesClient client, SharedIndexInformer<Lease> leases,
            String namespace, String identity, LeaseTimings timings, ElectionOptions options, Ticker ticker,
            Clock clock, MeterRegistry registry, Function<String, Map<String, String>> holderAnnotations) {
        return startElection(new KubernetesLeaseStore(client, leases, namespace, LeaseNames.NAME_PREFIX,
                timings.requestTimeout(), IO_THREADS, ticker), identity, timings, options, ticker, clock, registry, holderAnnotations);
    }

    private static LeaseElectionEngine startElection(KubernetesLeaseStore store, String identity, LeaseTimings timings,
            ElectionOptions options, Ticker ticker, Clock clock, MeterRegistry registry,
            Function<String, Map<String, String>> holderAnnotations) {
        ScheduledExecutorService thread = TaskScheduler.singleThreadExecutor("l2a-election");
        return new LeaseElectionEngine(store, identity, timings, options, TaskScheduler.of(thread), ticker, clock,
                registry, holderAnnotations, thread::shutdownNow).start();
    }

    @Override
    public CompletionStage<Result> get(String name) {
        return call(true, () -> {
            Lease lease = api.leases().inNamespace(namespace).withName(name).get();
            return lease == null ? null : toRecord(lease);
        });
    }

    @Override
    public CompletionStage<Result> create(String name, LeaseContent content) {
        Lease body = newLease(namespace, name, content);
        return call(false, () -> toRecord(api.leases().inNamespace(namespace).resource(body).create()));
    }

    @Override
    public CompletionStage<Result> update(LeaseRecord base, LeaseContent content) {
        Lease body = new LeaseBuilder(origin(base)).build();
        body.getMetadata().setResourceVersion(base.resourceVersion());
        apply(body, content);
        return call(false, () -> toRecord(api.leases().inNamespace(namespace).resource(body).update()));
    }

    @Override
    public CompletionStage<Result> write(String name, LeaseRecord base, LeaseContent content, Duration timeout) {
        KubernetesClient c = clientWithTimeout(timeout);
        if (base == null) {
            Lease body = newLease(namespace, name, content);
            return call(heartbeatLane, false, () -> toRecord(c.leases().inNamespace(namespace).resource(body).create()));
        }
        return conditionalUpdate(heartbeatLane, c, base, content);
    }

    @Override
    public CompletionStage<Result> claim(LeaseRecord base, LeaseContent content, Duration timeout) {
        return conditionalUpdate(claimLane, clientWithTimeout(timeout), base, content);
    }

    private CompletionStage<Result> conditionalUpdate(Semaphore lane, KubernetesClient c, LeaseRecord base, LeaseContent content) {
        Lease updated = new LeaseBuilder(origin(base)).build();
        updated.getMetadata().setResourceVersion(base.resourceVersion());
        apply(updated, content);
        return call(lane, false, () -> toRecord(c.leases().inNamespace(namespace).resource(updated).update()));
    }

    private final Map<Duration, KubernetesClient> byTimeout = new java.util.concurrent.ConcurrentHashMap<>();

    private KubernetesClient clientWithTimeout(Duration timeout) {
        return byTimeout.computeIfAbsent(timeout, t -> api.newClient(new RequestConfigBuilder()
                .withRequestRetryBackoffLimit(0)
                .withRequestTimeout((int) Math.max(1, t.toMillis()))
                .build()).adapt(KubernetesClient.class));
    }

    @Override
    public CompletionStage<Result> delete(LeaseRecord base) {
        Lease lease = origin(base);
        return call(false, () -> {
            api.leases().inNamespace(namespace).resource(lease).lockResourceVersion(base.resourceVersion()).delete();
            return null;
        });
    }

    @Override
    public void watch(Observer observer) {
        informer.addEventHandler(new ResourceEventHandler<>() {
            @Override
            public void onAdd(Lease lease) {
                if (selected(lease)) observer.upserted(toRecord(lease));
            }

            @Override
            public void onUpdate(Lease oldLease, Lease lease) {
                if (selected(lease)) observer.upserted(toRecord(lease));
            }

            @Override
            public void onDelete(Lease lease, boolean finalStateUnknown) {
                if (selected(lease)) observer.deleted(toRecord(lease));
            }
        });
        if (ownsInformer) informer.start();
    }

    @Override
    public boolean watchHealthy() {
        if (closed) return false;
        try {
            return informer.hasSynced() && informer.isWatching();
        } catch (RuntimeException e) {
            return false; // fabric8 7.5's isWatching() throws once the informer is stopped
        }
    }

    @Override
    public List<LeaseRecord> cached() {
        return informer.getStore().list().stream().filter(this::selected).map(KubernetesLeaseStore::toRecord).toList();
    }

    @Override
    public void close() {
        stopWatch();
        io.shutdownNow();
    }

    @Override
    public void stopWatch() {
        closed = true;
        try {
            informer.stop();
        } catch (RuntimeException e) {
            LOG.debugf(e, "election: informer stop");
        }
    }

    // ---------------------------------------------------------------- mapping

    /** The announcement Leases, and the node heartbeats of the fast path (the election owns both). */
    private boolean selected(Lease lease) {
        String name = lease.getMetadata() == null ? null : lease.getMetadata().getName();
        return name != null && (name.startsWith(namePrefix) || NodeHeartbeats.isHeartbeat(name));
    }

    private static Lease origin(LeaseRecord record) {
        if (record.origin() instanceof Lease lease) return lease;
        throw new IllegalArgumentException("not a record of this store: " + record.name());
    }

    static LeaseRecord toRecord(Lease lease) {
        LeaseSpec spec = lease.getSpec() == null ? new LeaseSpec() : lease.getSpec();
        ObjectMeta meta = lease.getMetadata();
        LeaseContent content = new LeaseContent(spec.getHolderIdentity(),
                spec.getLeaseDurationSeconds() == null ? LeaseContent.UNSET : spec.getLeaseDurationSeconds(),
                instant(spec.getAcquireTime()), instant(spec.getRenewTime()),
                spec.getLeaseTransitions() == null ? 0 : spec.getLeaseTransitions(),
                meta.getAnnotations());
        return new LeaseRecord(meta.getName(), meta.getResourceVersion(), content, lease);
    }

    static Lease newLease(String namespace, String name, LeaseContent content) {
        Lease lease = new LeaseBuilder()
                .withMetadata(new ObjectMetaBuilder().withNamespace(namespace).withName(name).build())
                .build();
        apply(lease, content);
        return lease;
    }

    /** The whole spec is replaced (client-go LeaderElectionRecordToLeaseSpec); metadata is kept but annotations. */
    private static void apply(Lease body, LeaseContent c) {
        body.getMetadata().setAnnotations(c.annotations().isEmpty() ? null : new HashMap<>(c.annotations()));
        body.setSpec(new LeaseSpecBuilder()
                .withHolderIdentity(c.holder())
                .withLeaseDurationSeconds(c.durationSeconds() == LeaseContent.UNSET ? null : c.durationSeconds())
                .withAcquireTime(zoned(c.acquireTime()))
                .withRenewTime(zoned(c.renewTime()))
                .withLeaseTransitions(c.transitions())
                .build());
    }

    /**
     * metav1.RFC3339Micro ("2006-01-02T15:04:05.000000Z07:00", always UTC): fabric8's LeaseSpec serialises its
     * ZonedDateTime fields with the pattern yyyy-MM-dd'T'HH:mm:ss.SSSSSS'Z', so it gets UTC values.
     */
    private static ZonedDateTime zoned(Instant at) {
        return at == null ? null : at.atZone(ZoneOffset.UTC);
    }

    private static Instant instant(ZonedDateTime t) {
        return t == null ? null : t.toInstant();
    }

    // ---------------------------------------------------------------- requests

    /** Runs a blocking request on the IO pool; {@code absentIsNotFound}: a null answer means 404 (get). */
    private CompletionStage<Result> call(boolean absentIsNotFound, Callable<LeaseRecord> op) {
        return call(inFlight, absentIsNotFound, op);
    }

    /** On a virtual thread, once {@code lane} lets it (at most that many of the lane's requests in flight). */
    private CompletionStage<Result> call(Semaphore lane, boolean absentIsNotFound, Callable<LeaseRecord> op) {
        CompletableFuture<Result> done = new CompletableFuture<>();
        try {
            io.execute(() -> {
                try {
                    lane.acquire();
                } catch (InterruptedException e) {
                    done.complete(Result.failed(Outcome.FAILED, "store closed", ticker.nanoTime()));
                    return;
                }
                long sentAt = ticker.nanoTime();
                try {
                    LeaseRecord record = op.call();
                    done.complete(record == null && absentIsNotFound ? Result.failed(Outcome.NOT_FOUND, "not found", sentAt)
                            : Result.ok(record, sentAt));
                } catch (Throwable e) {
                    done.complete(Result.failed(outcome(e), e.toString(), sentAt));
                } finally {
                    lane.release();
                }
            });
        } catch (RejectedExecutionException e) {
            done.complete(Result.failed(Outcome.FAILED, "store closed", ticker.nanoTime()));
        }
        return done;
    }

    private static Outcome outcome(Throwable e) {
        int code = e instanceof KubernetesClientException k ? k.getCode() : -1;
        return switch (code) {
            case 409 -> Outcome.CONFLICT;
            case 404 -> Outcome.NOT_FOUND;
            default -> Outcome.FAILED;
        };
    }
}
