package dev.l2announcer.selection;

import dev.l2announcer.datapath.Device;
import dev.l2announcer.policy.ValidatedPolicy;

import java.net.InetAddress;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Everything a selection depends on, as plain values: equal inputs give an equal snapshot.
 *
 * @param policies           validated policies (unusable ones select nothing)
 * @param services           all Services of the cluster
 * @param endpointNodes      per Service, the nodes that run its endpoints (ready, serving+terminating)
 * @param nodes              all Nodes of the cluster
 * @param localNode          this agent's node name
 * @param localDevices       this node's network links
 * @param devices            the agent's {@code devices} option
 * @param enableExternalIps  the agent's {@code enable-external-ips} option
 * @param leases             the announcement Leases that exist in the API (empty when not known: groups are then
 *                           named after their first member)
 * @param previousLeases     the lease each address was announced under in the previous snapshot of this source
 *                           (empty at start); used only for Leases in {@code leases}
 */
public record SelectionInputs(List<ValidatedPolicy> policies, List<ServiceState> services,
                              Map<ServiceRef, EndpointNodes> endpointNodes, List<NodeState> nodes,
                              String localNode, List<Device> localDevices, DeviceNameFilter devices,
                              boolean enableExternalIps, List<ExistingLease> leases,
                              Map<InetAddress, String> previousLeases) {
    public SelectionInputs {
        Objects.requireNonNull(localNode, "localNode");
        Objects.requireNonNull(devices, "devices");
        policies = List.copyOf(policies);
        services = List.copyOf(services);
        endpointNodes = Map.copyOf(endpointNodes);
        nodes = List.copyOf(nodes);
        localDevices = List.copyOf(localDevices);
        leases = List.copyOf(leases);
        previousLeases = Map.copyOf(previousLeases);
    }
}
