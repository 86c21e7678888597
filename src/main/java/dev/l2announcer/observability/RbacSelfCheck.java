package dev.l2announcer.observability;

import io.fabric8.kubernetes.api.model.authorization.v1.ResourceAttributesBuilder;
import io.fabric8.kubernetes.api.model.authorization.v1.SelfSubjectAccessReview;
import io.fabric8.kubernetes.api.model.authorization.v1.SelfSubjectAccessReviewBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;

import java.util.ArrayList;
import java.util.List;

/**
 * Asks the API server, with SelfSubjectAccessReview, whether the agent's own identity may do
 * every verb it needs; the answer is what the authorizer says, not what the chart intended.
 */
public final class RbacSelfCheck {
    /** One permission the agent uses. Empty namespace = cluster-wide. */
    public record Need(String group, String resource, String subresource, String verb, String namespace, String why) {}

    private final KubernetesClient client;

    public RbacSelfCheck(KubernetesClient client) {
        this.client = client;
    }

    public static List<Need> needs(String leaseNamespace, boolean podAnnouncements) {
        List<Need> n = new ArrayList<>();
        for (String v : List.of("get", "list", "watch", "create", "update", "delete")) {
            n.add(new Need("coordination.k8s.io", "leases", "", v, leaseNamespace, "lease election"));
        }
        for (String v : List.of("get", "list", "watch")) {
            n.add(new Need("", "services", "", v, "", "selection"));
            n.add(new Need("discovery.k8s.io", "endpointslices", "", v, "", "externalTrafficPolicy: Local"));
            n.add(new Need("", "nodes", "", v, "", "node selectors"));
            n.add(new Need("cilium.io", "ciliuml2announcementpolicies", "", v, "", "policies"));
        }
        n.add(new Need("cilium.io", "ciliuml2announcementpolicies", "status", "patch", "", "policy status"));
        n.add(new Need("events.k8s.io", "events", "", "create", "", "Service events"));
        if (podAnnouncements) {
            n.add(new Need("", "pods", "", "list", "", "L2 pod announcements"));
            n.add(new Need("", "pods", "", "watch", "", "L2 pod announcements"));
        }
        return n;
    }

    public List<DoctorCheck> check(List<Need> needs) {
        List<DoctorCheck> out = new ArrayList<>();
        for (Need need : needs) {
            String name = "rbac." + need.verb() + " " + (need.group().isEmpty() ? "" : need.group() + "/")
                    + need.resource() + (need.subresource().isEmpty() ? "" : "/" + need.subresource())
                    + (need.namespace().isEmpty() ? "" : " -n " + need.namespace());
            String confirm = "kubectl auth can-i " + need.verb() + " " + need.resource()
                    + (need.group().isEmpty() ? "" : "." + need.group())
                    + (need.subresource().isEmpty() ? "" : " --subresource=" + need.subresource())
                    + (need.namespace().isEmpty() ? " -A" : " -n " + need.namespace())
                    + " --as=system:serviceaccount:<namespace>:<agent-sa>";
            try {
                SelfSubjectAccessReview review = client.authorization().v1().selfSubjectAccessReview().create(
                        new SelfSubjectAccessReviewBuilder().withNewSpec()
                                .withResourceAttributes(new ResourceAttributesBuilder()
                                        .withGroup(need.group()).withResource(need.resource())
                                        .withSubresource(need.subresource().isEmpty() ? null : need.subresource())
                                        .withVerb(need.verb())
                                        .withNamespace(need.namespace().isEmpty() ? null : need.namespace())
                                        .build())
                                .endSpec().build());
                var status = review == null ? null : review.getStatus();
                if (status == null || status.getAllowed() == null) {
                    out.add(new DoctorCheck(name, DoctorCheck.Status.WARN, "no answer from the authorizer (" + need.why() + ")",
                            List.of(confirm)));
                } else if (status.getAllowed()) {
                    out.add(DoctorCheck.ok(name, "allowed (" + need.why() + ")"));
                } else {
                    String why = status.getReason() == null || status.getReason().isBlank() ? "" : ": " + status.getReason();
                    out.add(new DoctorCheck(name, DoctorCheck.Status.FAIL, "denied" + why + " (" + need.why() + ")",
                            List.of(confirm)));
                }
            } catch (RuntimeException e) {
                out.add(new DoctorCheck(name, DoctorCheck.Status.WARN, "review failed: " + e.getMessage(), List.of(confirm)));
            }
        }
        return out;
    }
}
