package dev.l2announcer.health;

import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeAddress;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/** A node to probe: its name and the InternalIP its agent's health endpoint listens on. */
public record NodeTarget(String name, InetAddress address, boolean local) {

    /**
     * Pure: every Node with an InternalIP, sorted by name, IPv4 preferred (what a dual-stack
     * node's kubelet lists first is not guaranteed). This node is included and marked local, as
     * cilium-health lists "(localhost)": it checks that our own endpoint answers on the host IP.
     */
    public static List<NodeTarget> fromNodes(List<Node> nodes, String selfNode) {
        List<NodeTarget> out = new ArrayList<>();
        for (Node n : nodes) {
            String name = n.getMetadata() == null ? null : n.getMetadata().getName();
            if (name == null || n.getStatus() == null || n.getStatus().getAddresses() == null) {
                continue;
            }
            internalIp(n.getStatus().getAddresses()).ifPresent(ip -> out.add(new NodeTarget(name, ip, name.equals(selfNode))));
        }
        out.sort(Comparator.comparing(NodeTarget::name));
        return out;
    }

    private static Optional<InetAddress> internalIp(List<NodeAddress> addresses) {
        InetAddress v6 = null;
        for (NodeAddress a : addresses) {
            if (!"InternalIP".equals(a.getType()) || a.getAddress() == null) {
                continue;
            }
            InetAddress ip;
            try {
                // Literal only: ofLiteral never resolves names.
                ip = InetAddress.ofLiteral(a.getAddress());
            } catch (IllegalArgumentException e) {
                continue;
            }
            if (ip instanceof java.net.Inet4Address) {
                return Optional.of(ip);
            }
            if (v6 == null) {
                v6 = ip;
            }
        }
        return Optional.ofNullable(v6);
    }
}
