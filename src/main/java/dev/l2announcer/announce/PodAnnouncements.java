package dev.l2announcer.announce;

import com.google.re2j.Pattern;
import dev.l2announcer.datapath.Device;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodIP;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Pure rules of L2 pod announcements ({@code enable-l2-pod-announcements}): which pod IPv4s are new
 * and on which interfaces to send gratuitous ARP for them.
 */
public final class PodAnnouncements {
    private PodAnnouncements() {
    }

    /** IPv4 addresses the pod has now and did not have before (all of them when {@code before} is null). */
    public static Set<Inet4Address> newIpv4s(Pod before, Pod after) {
        Set<Inet4Address> now = ipv4s(after);
        if (before != null) {
            now.removeAll(ipv4s(before));
        }
        return now;
    }

    static Set<Inet4Address> ipv4s(Pod pod) {
        Set<Inet4Address> out = new LinkedHashSet<>();
        if (pod == null || pod.getStatus() == null || pod.getSpec() == null
                || Boolean.TRUE.equals(pod.getSpec().getHostNetwork())) {
            return out; // a host-network pod has the node's own address: nothing of its own to announce
        }
        List<String> ips = new ArrayList<>();
        if (pod.getStatus().getPodIPs() != null) {
            pod.getStatus().getPodIPs().stream().map(PodIP::getIp).forEach(ips::add);
        }
        if (pod.getStatus().getPodIP() != null) {
            ips.add(pod.getStatus().getPodIP());
        }
        for (String ip : ips) {
            if (ip == null || ip.indexOf(':') >= 0 || ip.isBlank()) {
                continue;
            }
            try {
                if (InetAddress.getByName(ip) instanceof Inet4Address v4) { // literal: no DNS lookup
                    out.add(v4);
                }
            } catch (java.net.UnknownHostException e) {
                // not an address: ignore
            }
        }
        return out;
    }

    /**
     * Interfaces to announce pod IPs on: {@code l2-pod-announcements-interface} by exact name, or
     * {@code -interface-pattern} matched unanchored (Go regexp.MatchString semantics, RE2), and
     * usable for L2 (up, not loopback, has a MAC).
     */
    public static List<Device> interfaces(List<Device> devices, String name, String pattern) {
        Pattern p = pattern == null || pattern.isBlank() ? null : Pattern.compile(pattern);
        return devices.stream()
                .filter(Device::usableForL2)
                .filter(d -> (name != null && !name.isBlank() && d.name().equals(name)) || (p != null && p.matcher(d.name()).find()))
                .toList();
    }
}
