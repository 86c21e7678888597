package dev.l2announcer.selection;

import java.net.InetAddress;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * What selection needs of a Service, extracted from the API object.
 *
 * @param loadBalancerClass        {@code spec.loadBalancerClass}, null when unset
 * @param externalIPs              parsed {@code spec.externalIPs} (invalid entries dropped, duplicates removed)
 * @param loadBalancerIPs          parsed {@code status.loadBalancer.ingress[].ip} (hostname-only entries dropped)
 * @param externalTrafficPolicyLocal {@code spec.externalTrafficPolicy == Local}
 */
public record ServiceState(ServiceRef ref, Map<String, String> labels, String loadBalancerClass,
                           List<InetAddress> externalIPs, List<InetAddress> loadBalancerIPs,
                           boolean externalTrafficPolicyLocal) {
    /** Synthetic selector labels (cilium pkg/l2announcer/l2announcer.go, svcAndMetaLabels). */
    public static final String NAMESPACE_LABEL = "io.kubernetes.service.namespace";
    public static final String NAME_LABEL = "io.kubernetes.service.name";
    /** The only class besides "unset" that is ours (Cilium's L2AnnounceLoadBalancerClass). */
    public static final String L2_ANNOUNCER_CLASS = "io.cilium/l2-announcer";

    public ServiceState {
        Objects.requireNonNull(ref, "ref");
        labels = Map.copyOf(labels);
        externalIPs = List.copyOf(new LinkedHashSet<>(externalIPs));
        loadBalancerIPs = List.copyOf(new LinkedHashSet<>(loadBalancerIPs));
    }

    /**
     * The labels a policy's serviceSelector is matched against: the Service's own labels with the
     * synthetic namespace/name labels set on top, overriding user labels of the same keys as Cilium does.
     */
    public Map<String, String> selectorLabels() {
        Map<String, String> all = new HashMap<>(labels);
        all.put(NAMESPACE_LABEL, ref.namespace());
        all.put(NAME_LABEL, ref.name());
        return all;
    }

    /**
     * Cilium ignores Services "managed by an unsupported load balancer class": a class other than
     * unset or {@value #L2_ANNOUNCER_CLASS} (cilium pkg/l2announcer/l2announcer.go, upsertSvc).
     */
    public boolean classAllowed() {
        return loadBalancerClass == null || L2_ANNOUNCER_CLASS.equals(loadBalancerClass);
    }
}
