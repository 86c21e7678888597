package dev.l2announcer.observability;

import dev.l2announcer.config.AgentConfig;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

/** {@code dbg doctor}: config sanity, datapath state (stale BPF objects), RBAC self-check. */
public final class AgentDoctor implements Supplier<List<DoctorCheck>> {
    private final AgentConfig config;
    private final DatapathStatus datapath;
    private final RbacSelfCheck rbac;
    private final java.util.function.IntSupplier heldLeases;

    /** @param heldLeases how many leases this node holds now (the renew budget check) */
    public AgentDoctor(AgentConfig config, DatapathStatus datapath, RbacSelfCheck rbac, java.util.function.IntSupplier heldLeases) {
        this.config = config;
        this.datapath = datapath;
        this.rbac = rbac;
        this.heldLeases = heldLeases;
    }

    @Override
    public List<DoctorCheck> get() {
        List<DoctorCheck> out = new ArrayList<>(ConfigChecks.check(config));
        out.add(ConfigChecks.renewBudget(config, heldLeases.getAsInt()));
        out.add(datapath.attached()
                ? DoctorCheck.ok("datapath.attached", "responder program loaded, map open")
                : new DoctorCheck("datapath.attached", DoctorCheck.Status.FAIL, "responder program not loaded",
                        List.of("bpftool prog show name l2_responder", "ls -l " + config.bpfPinDir())));
        List<DoctorCheck> stale = datapath.staleState();
        out.add(stale.isEmpty() ? DoctorCheck.ok("datapath.stale-state", "no stale BPF state found") : null);
        out.addAll(stale);
        out.removeIf(java.util.Objects::isNull);
        out.addAll(rbac.check(RbacSelfCheck.needs(config.leaseNamespace(), config.enableL2PodAnnouncements())));
        return out;
    }
}
