package dev.l2announcer.policy;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import io.fabric8.kubernetes.api.model.Condition;

import java.util.ArrayList;
import java.util.List;

/** Status: metav1.Condition list keyed by type. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class L2AnnouncementPolicyStatus {
    @JsonProperty("conditions")
    private List<Condition> conditions = new ArrayList<>();

    public List<Condition> getConditions() { return conditions; }
    public void setConditions(List<Condition> v) { this.conditions = v; }
}
