package dev.l2announcer.announce;

import dev.l2announcer.datapath.Device;
import dev.l2announcer.datapath.Devices;
import dev.l2announcer.datapath.NeighbourAnnouncer;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import org.jboss.logging.Logger;

import java.net.Inet4Address;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;

/**
 * L2 pod announcements: when a pod on this node gets an IPv4 address, send gratuitous ARP for it
 * on the configured interface(s), so neighbours learn it at once. Watches only this node's pods
 * (field selector spec.nodeName); sends on its own platform thread (blocking native I/O).
 */
public final class PodAnnouncer implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(PodAnnouncer.class);

    private final KubernetesClient client;
    private final String nodeName;
    private final Devices devices;
    private final NeighbourAnnouncer garp;
    private final String interfaceName;
    private final String interfacePattern;
    private final ExecutorService sender;
    private final boolean serverSideNodeFilter;
    /** Written by start(), read by synced() on readiness-probe threads. */
    private volatile SharedIndexInformer<Pod> informer;
    private volatile boolean closed;

    public PodAnnouncer(KubernetesClient client, String nodeName, Devices devices, NeighbourAnnouncer garp,
                        String interfaceName, String interfacePattern) {
        this(client, nodeName, devices, garp, interfaceName, interfacePattern, true);
    }

    /**
     * @param serverSideNodeFilter false only for the fabric8 mock server, whose watches do not
     *                             support the spec.nodeName field selector (the client-side check remains)
     */
    PodAnnouncer(KubernetesClient client, String nodeName, Devices devices, NeighbourAnnouncer garp,
                 String interfaceName, String interfacePattern, boolean serverSideNodeFilter) {
        this.serverSideNodeFilter = serverSideNodeFilter;
        this.client = client;
        this.nodeName = nodeName;
        this.devices = devices;
        this.garp = garp;
        this.interfaceName = interfaceName;
        this.interfacePattern = interfacePattern;
        this.sender = Executors.newSingleThreadExecutor(
                r -> Thread.ofPlatform().daemon().name("l2a-pod-garp").unstarted(r));
    }

    public void start() {
        var pods = client.pods().inAnyNamespace();
        informer = (serverSideNodeFilter ? pods.withField("spec.nodeName", nodeName) : pods).inform(new ResourceEventHandler<>() {
            @Override
            public void onAdd(Pod pod) {
                changed(null, pod);
            }

            @Override
            public void onUpdate(Pod before, Pod after) {
                changed(before, after);
            }

            @Override
            public void onDelete(Pod pod, boolean unknownFinalState) {
            }
        });
    }

    public boolean synced() {
        return informer != null && informer.hasSynced();
    }

    /** Package-private for tests; informer threads call it. */
    void changed(Pod before, Pod after) {
        // The field selector already filters; the check keeps us right if a server ignores it.
        if (after.getSpec() == null || !Objects.equals(nodeName, after.getSpec().getNodeName())) {
            return;
        }
        Set<Inet4Address> ips = PodAnnouncements.newIpv4s(before, after);
        if (!ips.isEmpty()) {
            try {
                sender.execute(() -> announce(after, ips));
            } catch (RejectedExecutionException e) {
                // An informer event racing close(): nothing to announce any more.
                if (!closed) {
                    throw e;
                }
            }
        }
    }

    private void announce(Pod pod, Set<Inet4Address> ips) {
        List<Device> targets = PodAnnouncements.interfaces(devices.list(), interfaceName, interfacePattern);
        if (targets.isEmpty()) {
            LOG.warnf("pod %s/%s got %s but no usable interface matches l2-pod-announcements-interface%s",
                    pod.getMetadata().getNamespace(), pod.getMetadata().getName(), ips, "(-pattern)");
            return;
        }
        for (Device d : targets) {
            for (Inet4Address ip : ips) {
                try {
                    garp.announce(d, ip);
                } catch (RuntimeException e) {
                    LOG.warnf(e, "GARP for pod IP %s on %s failed", ip.getHostAddress(), d.name());
                }
            }
        }
    }

    @Override
    public void close() {
        closed = true;
        if (informer != null) {
            informer.close();
        }
        sender.shutdownNow();
    }
}
