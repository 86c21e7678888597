package dev.l2announcer.policy;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import org.jboss.logging.Logger;

import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashSet;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Keeps every policy's status conditions right, from the agent's one policy informer (the one selection reads
 * too; JOSDK's controller used to run a second). Runs on every node, so all writing goes through
 * {@link PolicyStatusWriter} (write only on change, resourceVersion-guarded, retried on 409). No finalizers.
 * A failure affects only the policy being reconciled and is retried after a second.
 *
 * <p>Thread: informer callbacks only queue a policy's name; one thread ({@code l2a-policy-status}) reconciles
 * the newest version of each queued policy from the informer's store, so a burst of edits is one write.
 */
public class PolicyStatusReconciler implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(PolicyStatusReconciler.class);
    private static final Duration RETRY = Duration.ofSeconds(1);

    private final PolicyStatusWriter writer;
    private final Set<String> queued = new LinkedHashSet<>(); // guarded by this
    private ScheduledExecutorService thread;
    private SharedIndexInformer<CiliumL2AnnouncementPolicy> informer;

    public PolicyStatusReconciler(KubernetesClient client) {
        this(new PolicyStatusWriter(client, new PolicyStatusFactory(Clock.systemUTC())));
    }

    public PolicyStatusReconciler(PolicyStatusWriter writer) {
        this.writer = writer;
    }

    /** Reconciles one policy now, on the calling thread (what the watch-driven path does for each change). */
    public void reconcile(CiliumL2AnnouncementPolicy policy) {
        writer.write(policy);
    }

    /** Follows {@code policies} (the agent's informer; not started or stopped here). */
    public synchronized PolicyStatusReconciler watch(SharedIndexInformer<CiliumL2AnnouncementPolicy> policies) {
        informer = policies;
        thread = Executors.newSingleThreadScheduledExecutor(r -> Thread.ofPlatform().daemon().name("l2a-policy-status").unstarted(r));
        policies.addEventHandler(new ResourceEventHandler<>() {
            @Override public void onAdd(CiliumL2AnnouncementPolicy p) { enqueue(p); }
            @Override public void onUpdate(CiliumL2AnnouncementPolicy old, CiliumL2AnnouncementPolicy p) { enqueue(p); }
            @Override public void onDelete(CiliumL2AnnouncementPolicy p, boolean unknown) { }
        });
        return this;
    }

    private void enqueue(CiliumL2AnnouncementPolicy p) {
        String name = p.getMetadata() == null ? null : p.getMetadata().getName();
        if (name == null) return;
        synchronized (this) {
            if (thread == null || !queued.add(name)) return;
            thread.execute(() -> run(name));
        }
    }

    private void run(String name) {
        synchronized (this) {
            queued.remove(name);
        }
        CiliumL2AnnouncementPolicy latest = informer.getStore().getByKey(name);
        if (latest == null) return; // deleted meanwhile
        try {
            writer.write(latest);
        } catch (RuntimeException e) {
            LOG.warnf("policy %s: status not written (%s); retrying in %s", name, e.toString(), RETRY);
            thread.schedule(() -> enqueue(latest), RETRY.toMillis(), TimeUnit.MILLISECONDS);
        }
    }

    @Override
    public synchronized void close() {
        if (thread != null) thread.shutdownNow();
        thread = null;
    }
}
