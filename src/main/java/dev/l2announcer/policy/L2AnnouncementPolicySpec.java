package dev.l2announcer.policy;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import io.fabric8.kubernetes.api.model.LabelSelector;

import java.util.List;

/** Spec of {@link CiliumL2AnnouncementPolicy}; field names and meaning as in Cilium. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class L2AnnouncementPolicySpec {
    /** Services to announce; null selects all. Matched against labels plus io.kubernetes.service.{namespace,name}. */
    @JsonProperty("serviceSelector")
    private LabelSelector serviceSelector;
    /** Nodes that may announce; null selects all. */
    @JsonProperty("nodeSelector")
    private LabelSelector nodeSelector;
    /** Go (RE2) regexes of interface names; null or empty selects all. */
    @JsonProperty("interfaces")
    private List<String> interfaces;
    @JsonProperty("externalIPs")
    private Boolean externalIPs;
    @JsonProperty("loadBalancerIPs")
    private Boolean loadBalancerIPs;

    public LabelSelector getServiceSelector() { return serviceSelector; }
    public void setServiceSelector(LabelSelector v) { this.serviceSelector = v; }
    public LabelSelector getNodeSelector() { return nodeSelector; }
    public void setNodeSelector(LabelSelector v) { this.nodeSelector = v; }
    public List<String> getInterfaces() { return interfaces; }
    public void setInterfaces(List<String> v) { this.interfaces = v; }
    public Boolean getExternalIPs() { return externalIPs; }
    public void setExternalIPs(Boolean v) { this.externalIPs = v; }
    public Boolean getLoadBalancerIPs() { return loadBalancerIPs; }
    public void setLoadBalancerIPs(Boolean v) { this.loadBalancerIPs = v; }
}
