package dev.l2announcer.policy;

import io.fabric8.crd.generator.annotation.AdditionalPrinterColumn;
import io.fabric8.kubernetes.client.CustomResource;
import io.fabric8.kubernetes.model.annotation.Categories;
import io.fabric8.kubernetes.model.annotation.Group;
import io.fabric8.kubernetes.model.annotation.Kind;
import io.fabric8.kubernetes.model.annotation.Plural;
import io.fabric8.kubernetes.model.annotation.ShortNames;
import io.fabric8.kubernetes.model.annotation.Singular;
import io.fabric8.kubernetes.model.annotation.Version;

/**
 * Cilium's cluster-scoped {@code CiliumL2AnnouncementPolicy} ({@code cilium.io/v2alpha1}), a drop-in:
 * the committed {@code crds/ciliuml2announcementpolicies.cilium.io.yaml} is the contract.
 */
@Group("cilium.io")
@Version("v2alpha1")
@Kind("CiliumL2AnnouncementPolicy")
@Plural("ciliuml2announcementpolicies")
@Singular("ciliuml2announcementpolicy")
@ShortNames("l2announcement")
@Categories("cilium")
@AdditionalPrinterColumn(name = "Age", jsonPath = ".metadata.creationTimestamp",
        type = AdditionalPrinterColumn.Type.DATE)
public class CiliumL2AnnouncementPolicy
        extends CustomResource<L2AnnouncementPolicySpec, L2AnnouncementPolicyStatus> {
}
