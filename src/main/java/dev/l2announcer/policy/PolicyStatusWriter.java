package dev.l2announcer.policy;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.fabric8.kubernetes.client.utils.Serialization;
import org.jboss.logging.Logger;

import java.util.List;
import java.util.Map;

/**
 * Writes a policy's status, the one write path in tests and production: a JSON patch of the
 * {@code /status} subresource that carries the resourceVersion the status was computed from, sent
 * only when the computed status differs from the stored one. A 409 means another agent (every node
 * runs one) got there first: re-read, re-validate the fresh object and try again; usually the
 * fresh status already equals ours and nothing is written. No server-side apply, no finalizers.
 */
public final class PolicyStatusWriter {
    private static final Logger LOG = Logger.getLogger(PolicyStatusWriter.class);
    static final int MAX_ATTEMPTS = 5;

    private final KubernetesClient client;
    private final PolicyStatusFactory factory;

    public PolicyStatusWriter(KubernetesClient client, PolicyStatusFactory factory) {
        this.client = client;
        this.factory = factory;
    }

    /**
     * Brings the stored status of {@code observed} in line with its spec.
     *
     * @return true when this call wrote the status, false when it was already right or the policy is gone
     * @throws KubernetesClientException on API errors other than a conflict, or after {@value #MAX_ATTEMPTS} conflicts
     */
    public boolean write(CiliumL2AnnouncementPolicy observed) {
        CiliumL2AnnouncementPolicy current = observed;
        for (int attempt = 1; ; attempt++) {
            ValidatedPolicy validated = PolicyValidator.validate(current);
            L2AnnouncementPolicyStatus desired = factory.desired(current.getStatus(), validated);
            if (PolicyStatusFactory.same(desired, current.getStatus())) {
                return false;
            }
            try {
                policies().withName(current.getMetadata().getName()).subresource("status")
                        .patch(PatchContext.of(PatchType.JSON), jsonPatch(current, desired));
                LOG.debugf("policy %s: status written (generation %d)", validated.name(), validated.generation());
                return true;
            } catch (KubernetesClientException e) {
                if (e.getCode() == 404) {
                    return false; // deleted meanwhile: nothing to report on
                }
                if (e.getCode() != 409 || attempt >= MAX_ATTEMPTS) {
                    throw e;
                }
                current = policies().withName(current.getMetadata().getName()).get();
                if (current == null) {
                    return false;
                }
            }
        }
    }

    /**
     * JSON patch (RFC 6902), as Cilium writes its policy status, plus the resourceVersion we computed
     * from: the API server applies the patch and then updates with that resourceVersion as a
     * precondition, so a stale patch gets 409. {@code add} replaces /status whole (conditions become
     * exactly the desired list) and also works when the object has no status yet. A merge patch would
     * do the same on a real API server, but the fabric8 mock server appends lists in merge patches.
     */
    private static String jsonPatch(CiliumL2AnnouncementPolicy current, L2AnnouncementPolicyStatus desired) {
        return Serialization.asJson(List.of(
                Map.of("op", "replace", "path", "/metadata/resourceVersion",
                        "value", current.getMetadata().getResourceVersion()),
                Map.of("op", "add", "path", "/status", "value", desired)));
    }

    private io.fabric8.kubernetes.client.dsl.NonNamespaceOperation<CiliumL2AnnouncementPolicy,
            io.fabric8.kubernetes.api.model.KubernetesResourceList<CiliumL2AnnouncementPolicy>,
            io.fabric8.kubernetes.client.dsl.Resource<CiliumL2AnnouncementPolicy>> policies() {
        return client.resources(CiliumL2AnnouncementPolicy.class);
    }
}
