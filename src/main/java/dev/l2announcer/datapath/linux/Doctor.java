package dev.l2announcer.datapath.linux;

import dev.l2announcer.datapath.DatapathException;
import dev.l2announcer.datapath.Device;
import dev.l2announcer.datapath.Devices;
import dev.l2announcer.datapath.Finding;
import dev.l2announcer.datapath.Finding.Severity;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Looks for stale BPF state (the field bug: an old program kept answering from an old map after a
 * restart) and prints what a human would run to confirm each finding. Read-only: repairs happen in
 * {@link BpfDatapath#open} (our own links) and the reconciler; everything else is reported.
 *
 * <p>Interfaces are resolved in the calling thread's network namespace; maps and programs are
 * kernel-global.
 */
public final class Doctor {
    private final Bpf bpf;
    private final Path pinDir;
    private final Devices devices;

    public Doctor(Bpf bpf, Path pinDir, Devices devices) {
        this.bpf = bpf;
        this.pinDir = pinDir;
        this.devices = devices;
    }

    public static Doctor system(Path pinDir) {
        return new Doctor(new SyscallBpf(), pinDir, new NetlinkDevices());
    }

    /** @param selectedInterfaces interfaces the agent announces on (checked for attached programs) */
    public List<Finding> examine(Set<String> selectedInterfaces) {
        List<Finding> out = new ArrayList<>();
        try {
            examine(selectedInterfaces, out);
        } catch (DatapathException e) {
            if (e.errno() != Errno.EPERM && e.errno() != Errno.EACCES) {
                throw e;
            }
            // Walking kernel-global maps/programs (BPF_MAP/PROG_GET_NEXT_ID, *_GET_FD_BY_ID) needs
            // CAP_SYS_ADMIN even with CAP_BPF: say so instead of failing the whole report.
            out.add(new Finding(Severity.ERROR, "DOCTOR_NO_PERMISSION", "the doctor cannot inspect BPF state ("
                    + e.getMessage() + "): it needs CAP_SYS_ADMIN (besides CAP_BPF) to enumerate maps and programs;"
                    + " add SYS_ADMIN to the agent container's capabilities", List.of(
                    "grep Cap /proc/self/status", "capsh --decode=$(awk '/CapEff/{print $2}' /proc/self/status)",
                    "bpftool map show name " + BpfLoader.RESPONDER_MAP, "bpftool map show name " + BpfLoader.RESPONDER_MAP_V6)));
        }
        return List.copyOf(out);
    }

    /** The responder maps checked for duplicates, foreign pins and use by the attached program. */
    static final List<String> RESPONDER_MAPS = List.of(BpfLoader.RESPONDER_MAP, BpfLoader.RESPONDER_MAP_V6);

    private void examine(Set<String> selectedInterfaces, List<Finding> out) {
        Map<String, Integer> pinnedIds = new java.util.LinkedHashMap<>();
        for (String name : RESPONDER_MAPS) {
            Path pinnedMap = pinDir.resolve(name);
            int id = pinnedMapId(pinnedMap);
            pinnedIds.put(name, id);
            if (id == 0) {
                out.add(new Finding(Severity.WARNING, "MAP_NOT_PINNED", "no pinned " + name + " at " + pinnedMap
                        + ": the datapath has not been loaded with this pin dir", List.of("ls -l " + pinDir,
                        "bpftool map show pinned " + pinnedMap)));
            }
        }
        Map<Integer, List<Integer>> progsByMap = programsByMap();
        List<Device> selected = devices.list().stream().filter(d -> selectedInterfaces.contains(d.name())).toList();
        Set<Integer> attachedHere = new java.util.HashSet<>();
        selected.forEach(d -> attachedHere.add(d.xdpProgId()));
        for (String name : RESPONDER_MAPS) {
            duplicates(name, pinnedIds.get(name), progsByMap, attachedHere).ifPresent(out::add);
            if (Files.exists(Path.of("/sys/fs/bpf/tc/globals", name)) && !pinDir.equals(Path.of("/sys/fs/bpf/tc/globals"))) {
                out.add(new Finding(Severity.WARNING, "FOREIGN_PIN", "/sys/fs/bpf/tc/globals/" + name
                        + " exists: an iproute2 (ip/tc) loader pinned a second map with our name",
                        List.of("bpftool map show pinned /sys/fs/bpf/tc/globals/" + name)));
            }
        }
        List<Integer> pinnedMapIds = pinnedIds.values().stream().filter(id -> id != 0).toList();
        Map<String, Integer> ourLinkProgs = ourLinkPrograms();
        for (Device d : selected) {
            if (d.xdpProgId() == 0) {
                continue;
            }
            List<String> cmds = List.of("ip -d link show dev " + d.name(), "bpftool net show dev " + d.name(),
                    "bpftool prog show id " + d.xdpProgId(), "bpftool map show pinned " + pinDir.resolve(BpfLoader.RESPONDER_MAP),
                    "bpftool map show pinned " + pinDir.resolve(BpfLoader.RESPONDER_MAP_V6));
            Bpf.ProgInfo prog;
            try {
                int fd = bpf.progFdById(d.xdpProgId());
                try {
                    prog = bpf.progInfo(fd);
                } finally {
                    bpf.close(fd);
                }
            } catch (DatapathException e) {
                continue; // detached meanwhile
            }
            if (!BpfLoader.PROGRAM.equals(prog.name())) {
                out.add(new Finding(Severity.ERROR, "FOREIGN_PROGRAM", "interface " + d.name() + " runs foreign XDP program "
                        + prog.id() + " (" + prog.name() + "): l2-announcer cannot attach there and will not answer ARP on it",
                        withLinks(cmds)));
            } else if (!prog.mapIds().containsAll(pinnedMapIds)) {
                boolean ours = ourLinkProgs.getOrDefault(d.name(), -1) == prog.id();
                out.add(new Finding(ours ? Severity.WARNING : Severity.ERROR, "STALE_PROGRAM", "interface " + d.name()
                        + " runs " + BpfLoader.PROGRAM + " program " + prog.id() + " with maps " + prog.mapIds()
                        + ", not the pinned maps " + pinnedMapIds + ": it answers from stale entries (or, without"
                        + " l2_responder_v6, an older program: no NDP)"
                        + (ours ? " (attached through our link: restart the agent to replace it atomically)"
                        : " (not attached through our pin dir " + pinDir + ": once its owner is identified, detach it with `ip link"
                        + " set dev " + d.name() + " xdp off` if netlink-attached, or by removing its link pin, listed by"
                        + " `bpftool -f link show`)"), withLinks(cmds)));
            } else if (!ourLinkProgs.containsKey(d.name())) {
                out.add(new Finding(Severity.WARNING, "UNLINKED_PROGRAM", "interface " + d.name() + " runs our program "
                        + prog.id() + " but not through a link pinned in " + pinDir + ": a netlink attach can replace it silently",
                        cmds));
            }
        }
        livenessFinding(pinDir.resolve(BpfLoader.LIVENESS_MAP)).ifPresent(out::add);
    }

    /** DUPLICATE_MAP when more than one map in the kernel is named {@code name}. */
    private java.util.Optional<Finding> duplicates(String name, int pinnedMapId, Map<Integer, List<Integer>> progsByMap,
                                                   Set<Integer> attachedHere) {
        List<Integer> sameName = mapIdsNamed(name);
        if (sameName.size() <= 1) {
            return java.util.Optional.empty();
        }
        List<String> cmds = new ArrayList<>();
        cmds.add("bpftool map show name " + name);
        StringBuilder users = new StringBuilder();
        boolean staleAnswersHere = false;
        for (int id : sameName) {
            List<Integer> progs = progsByMap.getOrDefault(id, List.of());
            cmds.add("bpftool map dump id " + id);
            cmds.add("bpftool prog --json | jq -r '.[] | select((.map_ids // []) | index(" + id + ")) | .id'");
            users.append(" map ").append(id).append(id == pinnedMapId ? " (pinned, ours)" : "")
                    .append(" used by programs ").append(progs).append(';');
            if (id != pinnedMapId && progs.stream().anyMatch(attachedHere::contains)) {
                staleAnswersHere = true;
            }
        }
        // ERROR when a program using another map runs on one of our interfaces; otherwise the other
        // maps may belong to other agents on this machine (test setups) or to programs attached elsewhere.
        return java.util.Optional.of(new Finding(staleAnswersHere ? Severity.ERROR : Severity.WARNING, "DUPLICATE_MAP",
                sameName.size() + " maps named " + name + " exist (ids " + sameName + "):" + users
                        + (staleAnswersHere ? " a program on a selected interface answers from a stale map"
                        : " none of the other maps is used by a program on a selected interface"), cmds));
    }

    private java.util.Optional<Finding> livenessFinding(Path pin) {
        if (!Files.exists(pin)) {
            return java.util.Optional.empty();
        }
        int fd = bpf.objGet(pin.toString());
        try {
            byte[] v = new byte[16];
            if (!bpf.lookup(fd, new byte[4], v)) {
                return java.util.Optional.empty();
            }
            ByteBuffer b = ByteBuffer.wrap(v).order(ByteOrder.nativeOrder());
            long last = b.getLong(), maxAge = b.getLong();
            long age = Libc.monotonicNanos() - last;
            if (last == 0 || age > maxAge) {
                return java.util.Optional.of(new Finding(Severity.WARNING, "LIVENESS_STALE",
                        "liveness stamp " + (last == 0 ? "never written or cleared" : "is " + age / 1_000_000 + " ms old (max "
                                + maxAge / 1_000_000 + " ms)") + ": the ARP responder is not answering",
                        List.of("bpftool map dump pinned " + pin)));
            }
            return java.util.Optional.empty();
        } finally {
            bpf.close(fd);
        }
    }

    private int pinnedMapId(Path pin) {
        if (!Files.exists(pin)) {
            return 0;
        }
        int fd = bpf.objGet(pin.toString());
        try {
            return bpf.mapInfo(fd).id();
        } finally {
            bpf.close(fd);
        }
    }

    private Map<String, Integer> ourLinkPrograms() {
        Map<String, Integer> out = new HashMap<>();
        if (!Files.isDirectory(pinDir)) {
            return out;
        }
        try (var ds = Files.newDirectoryStream(pinDir, BpfDatapath.LINK_PREFIX + "*")) {
            for (Path p : ds) {
                int fd = bpf.objGet(p.toString());
                try {
                    out.put(p.getFileName().toString().substring(BpfDatapath.LINK_PREFIX.length()), bpf.linkInfo(fd).progId());
                } finally {
                    bpf.close(fd);
                }
            }
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        return out;
    }

    private static List<String> withLinks(List<String> cmds) {
        List<String> out = new ArrayList<>(cmds);
        out.add("bpftool -f link show");
        return out;
    }

    /** Human-readable report, one finding per paragraph with its confirm commands; "no findings" when clean. */
    public static String render(List<Finding> findings) {
        if (findings.isEmpty()) {
            return "l2-announcer doctor: no findings\n";
        }
        StringBuilder b = new StringBuilder("l2-announcer doctor: ").append(findings.size()).append(" finding(s)\n");
        findings.stream().sorted(java.util.Comparator.comparing(Finding::severity).reversed())
                .forEach(f -> b.append(f).append('\n'));
        return b.toString();
    }

    /** Every map id whose kernel name is {@code name}, ascending (older first). */
    private List<Integer> mapIdsNamed(String name) {
        List<Integer> ids = new ArrayList<>();
        for (int id = bpf.nextMapId(0), guard = 0; id != 0 && guard < 1_000_000; id = bpf.nextMapId(id), guard++) {
            int fd;
            try {
                fd = bpf.mapFdById(id);
            } catch (DatapathException e) {
                continue; // freed meanwhile
            }
            try {
                if (name.equals(bpf.mapInfo(fd).name())) {
                    ids.add(id);
                }
            } finally {
                bpf.close(fd);
            }
        }
        return ids;
    }

    private Map<Integer, List<Integer>> programsByMap() {
        Map<Integer, List<Integer>> out = new HashMap<>();
        for (int id = bpf.nextProgId(0), guard = 0; id != 0 && guard < 1_000_000; id = bpf.nextProgId(id), guard++) {
            int fd;
            try {
                fd = bpf.progFdById(id);
            } catch (DatapathException e) {
                continue;
            }
            try {
                Bpf.ProgInfo p = bpf.progInfo(fd);
                for (int m : p.mapIds()) {
                    out.computeIfAbsent(m, k -> new ArrayList<>()).add(p.id());
                }
            } finally {
                bpf.close(fd);
            }
        }
        return out;
    }
}
