package dev.l2announcer.datapath.linux;

import dev.l2announcer.config.AgentConfig;
import dev.l2announcer.datapath.Devices;
import dev.l2announcer.datapath.Finding;
import dev.l2announcer.datapath.DualStackAnnouncer;
import dev.l2announcer.datapath.LivenessTiming;
import dev.l2announcer.datapath.NeighbourAnnouncer;
import dev.l2announcer.datapath.ResponderMap;
import dev.l2announcer.datapath.LeaseFence;
import dev.l2announcer.datapath.ResponderReconciler;
import dev.l2announcer.time.TaskScheduler;

import java.util.List;
import java.util.Set;

/**
 * The real datapath of this node, opened from the agent config: the responder program and maps
 * pinned in {@code bpf-pin-dir}, rtnetlink devices, the GARP and NA senders (with the solicited-node group
 * memberships) and the doctor. Open it in the
 * node's network namespace (the agent runs with hostNetwork). Closing releases fds and sockets;
 * pins stay so the program keeps answering across a restart until the liveness stamp expires.
 */
public final class LinuxDatapath implements AutoCloseable {
    private final AgentConfig config;
    private final BpfDatapath program;
    private final NetlinkDevices devices = new NetlinkDevices();
    private final PacketSocketGratuitousArp garp;
    private final NdpAnnouncer ndp;

    private LinuxDatapath(AgentConfig config, BpfDatapath program, PacketSocketGratuitousArp garp, NdpAnnouncer ndp) {
        this.config = config;
        this.program = program;
        this.garp = garp;
        this.ndp = ndp;
    }

    /** Loads/adopts the program in {@code config.bpfPinDir()}; liveness max age from {@link LivenessTiming}. */
    public static LinuxDatapath open(AgentConfig config) {
        BpfDatapath program = BpfDatapath.open(config.bpfPinDir(), LivenessTiming.forConfig(config).maxAge());
        PacketSocketGratuitousArp garp = null;
        try {
            garp = new PacketSocketGratuitousArp();
            return new LinuxDatapath(config, program, garp, new NdpAnnouncer());
        } catch (RuntimeException e) {
            if (garp != null) {
                garp.close();
            }
            program.close();
            throw e;
        }
    }

    /** A reconciler over this datapath; call {@code start()} on it, then {@code desire(...)}. */
    public ResponderReconciler reconciler(TaskScheduler scheduler, LeaseFence fence, ResponderReconciler.Listener listener) {
        return ResponderReconciler.create(config, program.responderMap(), program, devices, new DualStackAnnouncer(garp, ndp),
                scheduler, fence, listener);
    }

    public ResponderMap responderMap() {
        return program.responderMap();
    }

    public Devices devices() {
        return devices;
    }

    /** The IPv4 announcer (the reconciler's thread only). */
    public NeighbourAnnouncer gratuitousArp() {
        return garp;
    }

    /** Solicited-node groups joined now ("ifindex/group"), for views and tests; any thread. */
    public java.util.Set<String> joinedGroups() {
        return ndp.joinedGroups();
    }

    public BpfDatapath program() {
        return program;
    }

    /** What open() repaired (links re-pointed atomically to the new program, defunct links removed). */
    public List<Finding> startupFindings() {
        return program.startupFindings();
    }

    /** Stale-state check over the interfaces the agent announces on. */
    public List<Finding> examine(Set<String> selectedInterfaces) {
        return new Doctor(new SyscallBpf(), config.bpfPinDir(), devices).examine(selectedInterfaces);
    }

    @Override
    public void close() {
        try {
            garp.close();
            ndp.close();
        } finally {
            program.close();
        }
    }
}
