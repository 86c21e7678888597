package dev.l2announcer.observability;

import dev.l2announcer.policy.CiliumL2AnnouncementPolicy;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;

import java.util.Collection;
import java.util.function.IntSupplier;

/**
 * l2announcer_policies_with_errors: policies whose status carries one of Cilium's error conditions
 * ({@code io.cilium/bad-service-selector}, {@code -node-selector}, {@code -interface-regex}) with
 * status True, read from an informer cache (a gauge read costs no API request).
 */
public final class PolicyErrorCounter implements IntSupplier, AutoCloseable {
    static final String ERROR_CONDITION_PREFIX = "io.cilium/bad-";

    private final SharedIndexInformer<CiliumL2AnnouncementPolicy> informer;
    private final boolean owned;

    /** With an informer of its own (tests). */
    public PolicyErrorCounter(KubernetesClient client) {
        this(new dev.l2announcer.kubernetes.SharedInformers(client, "kube-system").policies(), true);
    }

    /** Over the agent's policy informer (not started or closed here). */
    public PolicyErrorCounter(SharedIndexInformer<CiliumL2AnnouncementPolicy> informer) {
        this(informer, false);
    }

    private PolicyErrorCounter(SharedIndexInformer<CiliumL2AnnouncementPolicy> informer, boolean owned) {
        this.informer = informer;
        this.owned = owned;
    }

    public PolicyErrorCounter start() {
        if (owned) informer.start();
        return this;
    }

    public boolean synced() {
        return informer.hasSynced();
    }

    @Override
    public int getAsInt() {
        return count(informer.getStore().list());
    }

    static int count(Collection<CiliumL2AnnouncementPolicy> policies) {
        int n = 0;
        for (CiliumL2AnnouncementPolicy p : policies) {
            if (p.getStatus() != null && p.getStatus().getConditions() != null
                    && p.getStatus().getConditions().stream().anyMatch(c -> c.getType() != null
                    && c.getType().startsWith(ERROR_CONDITION_PREFIX) && "True".equals(c.getStatus()))) {
                n++;
            }
        }
        return n;
    }

    @Override
    public void close() {
        if (owned) informer.close();
    }
}
