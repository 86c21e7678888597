package dev.l2announcer.selection;

import dev.l2announcer.datapath.Device;
import dev.l2announcer.policy.ValidatedPolicy;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * Everything a selection depends on, as plain values: equal inputs give an equal snapshot.
 *
 * @param policies           validated policies (unusable ones select nothing)
 * @param services           all Services of the cluster
 * @param readyEndpointNodes per Service, the nodes that run at least one ready endpoint of it
 * @param nodes              all Nodes of the cluster
 * @param localNode          this agent's node name
 * @param localDevices       this node's network links
 * @param devices            the agent's {@code devices} option
 * @param enableExternalIps  the agent's {@code enable-external-ips} option
 */
public record SelectionInputs(List<ValidatedPolicy> policies, List<ServiceState> services,
                              Map<ServiceRef, Set<String>> readyEndpointNodes, List<NodeState> nodes,
                              String localNode, List<Device> localDevices, DeviceNameFilter devices,
                              boolean enableExternalIps) {
    public SelectionInputs {
        Objects.requireNonNull(localNode, "localNode");
        Objects.requireNonNull(devices, "devices");
        policies = List.copyOf(policies);
        services = List.copyOf(services);
        Map<ServiceRef, Set<String>> ready = new HashMap<>();
        readyEndpointNodes.forEach((k, v) -> ready.put(k, Set.copyOf(v)));
        readyEndpointNodes = Map.copyOf(ready);
        nodes = List.copyOf(nodes);
        localDevices = List.copyOf(localDevices);
    }
}
