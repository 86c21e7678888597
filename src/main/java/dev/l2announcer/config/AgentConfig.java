package dev.l2announcer.config;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * The agent's effective configuration, validated once at start and immutable afterwards.
 * Keys follow Cilium's {@code cilium-config} names where Cilium has one (see README).
 *
 * @param devices                           {@code devices}: interface names ({@code eth+} = prefix, not regexes) the agent may use; empty = all
 * @param l2PodAnnouncementsInterface        {@code l2-pod-announcements-interface}
 * @param l2PodAnnouncementsInterfacePattern {@code l2-pod-announcements-interface-pattern} (RE2)
 * @param kubeProxyReplacement               {@code kube-proxy-replacement}, reported as is
 * @param nodeName                           ours: {@code node-name} / env NODE_NAME (downward API)
 * @param leaseNamespace                     ours: {@code l2-announcements-lease-namespace} / env POD_NAMESPACE
 * @param bpfPinDir                          ours: {@code bpf-pin-dir}
 * @param garpRepeats                        ours: GARPs sent per new announcement (MetalLB-style burst)
 * @param garpInterval                       ours: spacing of the repeated GARPs
 * @param healthProbeInterval                ours: VIP/node probe period
 * @param debugPort                          ours: read-only debug/health HTTP port on the host network
 * @param heartbeatInterval                  ours: node heartbeat (sub-second failover); 0 = off, Cilium's lease model only
 */
public record AgentConfig(
        boolean enableL2Announcements,
        Duration leaseDuration,
        Duration renewDeadline,
        Duration retryPeriod,
        double k8sClientQps,
        int k8sClientBurst,
        List<String> devices,
        boolean enableL2PodAnnouncements,
        String l2PodAnnouncementsInterface,
        String l2PodAnnouncementsInterfacePattern,
        boolean enableExternalIps,
        String kubeProxyReplacement,
        String nodeName,
        String leaseNamespace,
        Path bpfPinDir,
        int garpRepeats,
        Duration garpInterval,
        Duration healthProbeInterval,
        int debugPort,
        Duration heartbeatInterval) {

    public AgentConfig {
        devices = List.copyOf(devices);
    }

    /** With the default node heartbeat. */
    public AgentConfig(boolean enableL2Announcements, Duration leaseDuration, Duration renewDeadline, Duration retryPeriod,
                       double k8sClientQps, int k8sClientBurst, List<String> devices, boolean enableL2PodAnnouncements,
                       String l2PodAnnouncementsInterface, String l2PodAnnouncementsInterfacePattern, boolean enableExternalIps,
                       String kubeProxyReplacement, String nodeName, String leaseNamespace, Path bpfPinDir, int garpRepeats,
                       Duration garpInterval, Duration healthProbeInterval, int debugPort) {
        this(enableL2Announcements, leaseDuration, renewDeadline, retryPeriod, k8sClientQps, k8sClientBurst, devices,
                enableL2PodAnnouncements, l2PodAnnouncementsInterface, l2PodAnnouncementsInterfacePattern, enableExternalIps,
                kubeProxyReplacement, nodeName, leaseNamespace, bpfPinDir, garpRepeats, garpInterval, healthProbeInterval,
                debugPort, LeaseTimings.DEFAULT_HEARTBEAT_INTERVAL);
    }

    /** Defaults as Cilium's, for tests and embedded use. */
    public static AgentConfig defaults(String nodeName) {
        return new AgentConfig(true, Duration.ofSeconds(15), Duration.ofSeconds(5), Duration.ofSeconds(2),
                10, 20, List.of(), false, "", "", true, "false", nodeName, "kube-system",
                Path.of("/sys/fs/bpf/l2-announcer"), 3, Duration.ofSeconds(1), Duration.ofSeconds(60), 9890);
    }

    /** The lease timings and everything derived from them; throws if this config's combination is invalid. */
    public LeaseTimings leaseTimings() {
        return LeaseTimings.of(this);
    }

    public AgentConfig withLeaseTimings(Duration lease, Duration renew, Duration retry) {
        return new AgentConfig(enableL2Announcements, lease, renew, retry, k8sClientQps, k8sClientBurst, devices,
                enableL2PodAnnouncements, l2PodAnnouncementsInterface, l2PodAnnouncementsInterfacePattern,
                enableExternalIps, kubeProxyReplacement, nodeName, leaseNamespace, bpfPinDir, garpRepeats,
                garpInterval, healthProbeInterval, debugPort, heartbeatInterval);
    }

    public AgentConfig withHeartbeatInterval(Duration interval) {
        return new AgentConfig(enableL2Announcements, leaseDuration, renewDeadline, retryPeriod, k8sClientQps, k8sClientBurst,
                devices, enableL2PodAnnouncements, l2PodAnnouncementsInterface, l2PodAnnouncementsInterfacePattern,
                enableExternalIps, kubeProxyReplacement, nodeName, leaseNamespace, bpfPinDir, garpRepeats, garpInterval,
                healthProbeInterval, debugPort, interval);
    }
}
