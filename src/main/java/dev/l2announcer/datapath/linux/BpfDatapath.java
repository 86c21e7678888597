package dev.l2announcer.datapath.linux;

import dev.l2announcer.datapath.DatapathException;
import dev.l2announcer.datapath.Device;
import dev.l2announcer.datapath.DualStackResponderMap;
import dev.l2announcer.datapath.Finding;
import dev.l2announcer.datapath.ResponderKeys;
import dev.l2announcer.datapath.ResponderMap;
import dev.l2announcer.datapath.ResponderProgram;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.logging.Logger;

/**
 * The real datapath for one pin directory: the loaded responder program, its pinned maps, and one
 * pinned XDP bpf_link per interface ({@code <pinDir>/link_xdp_<ifname>}). Pinned links survive agent
 * restarts (no ARP gap during a rolling update); at open, each of our links is atomically re-pointed
 * to the freshly loaded program (BPF_LINK_UPDATE), which is the "repair what is ours" step.
 *
 * <p>Not thread-safe: use it from the reconciler's thread. Link creation resolves ifindexes in the
 * calling thread's network namespace.
 */
public final class BpfDatapath implements ResponderProgram, AutoCloseable {
    private static final Logger LOG = Logger.getLogger(BpfDatapath.class.getName());
    static final String LINK_PREFIX = "link_xdp_";

    private final Bpf bpf;
    private final Path pinDir;
    private final BpfLoader.Loaded loaded;
    private final DualStackResponderMap responderMap;
    private final long maxAgeNanos;
    private final int progId;
    private final int responderMapId;
    private final int responderV6MapId;
    private final List<Finding> startupFindings;

    private BpfDatapath(Bpf bpf, Path pinDir, BpfLoader.Loaded loaded, Duration maxAge) {
        this.bpf = bpf;
        this.pinDir = pinDir;
        this.loaded = loaded;
        this.responderMap = new DualStackResponderMap(new BpfResponderMap(bpf, loaded.responderMapFd()),
                new BpfResponderMap(bpf, loaded.responderV6MapFd()));
        this.maxAgeNanos = maxAge.toNanos();
        this.progId = bpf.progInfo(loaded.progFd()).id();
        this.responderMapId = bpf.mapInfo(loaded.responderMapFd()).id();
        this.responderV6MapId = bpf.mapInfo(loaded.responderV6MapFd()).id();
        this.startupFindings = adoptLinks();
    }

    /**
     * Loads the packaged program with its maps pinned in {@code pinDir} (mounting bpffs on /sys/fs/bpf
     * if needed), adopts our existing pinned links (atomic program replace) and drops links whose
     * interface is gone. {@code livenessMaxAge}: see {@link dev.l2announcer.datapath.LivenessTiming}.
     */
    public static BpfDatapath open(Path pinDir, Duration livenessMaxAge) {
        return open(new SyscallBpf(), BpfLoader.packagedObject(), pinDir, livenessMaxAge);
    }

    public static BpfDatapath open(Bpf bpf, byte[] elf, Path pinDir, Duration livenessMaxAge) {
        BpfLoader.Loaded loaded = new BpfLoader().load(elf, pinDir);
        try {
            return new BpfDatapath(bpf, pinDir, loaded, livenessMaxAge);
        } catch (RuntimeException e) {
            loaded.close();
            throw e;
        }
    }

    /** l2_responder_v4 and l2_responder_v6 as one map, each family within its own kernel map's capacity. */
    public ResponderMap responderMap() {
        return responderMap;
    }

    public int programId() {
        return progId;
    }

    public int responderMapId() {
        return responderMapId;
    }

    public int responderV6MapId() {
        return responderV6MapId;
    }

    /** What adopting the pinned state at open did (links re-pointed, dead links removed). */
    public List<Finding> startupFindings() {
        return startupFindings;
    }

    private Path linkPin(String ifname) {
        return pinDir.resolve(LINK_PREFIX + ifname);
    }

    private List<Finding> adoptLinks() {
        List<Finding> out = new ArrayList<>();
        for (String name : attachedInterfaces()) {
            Path pin = linkPin(name);
            int fd = bpf.objGet(pin.toString());
            try {
                Bpf.LinkInfo info = bpf.linkInfo(fd);
                if (info.ifindex() == 0) {
                    // The interface was deleted: the link is defunct, only the pin keeps it around.
                    deletePin(pin);
                    out.add(new Finding(Finding.Severity.INFO, "DEFUNCT_LINK_REMOVED",
                            "removed pinned XDP link " + info.id() + " of vanished interface " + name, List.of()));
                } else if (info.progId() != progId) {
                    bpf.linkUpdate(fd, loaded.progFd());
                    out.add(new Finding(Finding.Severity.INFO, "PROGRAM_REPLACED",
                            "XDP link " + info.id() + " on " + name + ": program " + info.progId() + " atomically replaced by "
                                    + progId + " (uses pinned maps " + responderMapId + ", " + responderV6MapId + ")",
                            List.of("bpftool link show id " + info.id(), "bpftool prog show id " + progId)));
                }
            } finally {
                bpf.close(fd);
            }
        }
        out.forEach(f -> LOG.info(f.toString()));
        return List.copyOf(out);
    }

    @Override
    public void attach(Device device) {
        Path pin = linkPin(device.name());
        if (Files.exists(pin)) {
            int fd = bpf.objGet(pin.toString());
            try {
                Bpf.LinkInfo info = bpf.linkInfo(fd);
                if (info.ifindex() == device.ifindex()) {
                    if (info.progId() != progId) {
                        bpf.linkUpdate(fd, loaded.progFd());
                    }
                    writeMac(device);
                    return;
                }
                // Same name, other ifindex: the link was re-created; the old link is defunct.
                try {
                    bpf.linkDetach(fd);
                } catch (DatapathException e) {
                    LOG.fine("detach of defunct link: " + e.getMessage());
                }
            } finally {
                bpf.close(fd);
            }
            deletePin(pin);
        }
        // MAC first, so the program answers from the moment the link exists; removed again when the
        // attach fails (e.g. a foreign program: EBUSY), or it would stay behind for an interface we
        // never attached to.
        writeMac(device);
        boolean pinned = false;
        try {
            int linkFd = createLink(device);
            try {
                bpf.objPin(linkFd, pin.toString());
                pinned = true;
            } finally {
                bpf.close(linkFd); // unpinned, this also destroys the link
            }
        } finally {
            if (!pinned) {
                try {
                    bpf.delete(loaded.macMapFd(), ResponderKeys.encodeIfindex(device.ifindex()));
                } catch (DatapathException e) {
                    LOG.fine("removing MAC entry after failed attach: " + e.getMessage());
                }
            }
        }
    }

    /**
     * veth: generic mode, because native XDP_TX on a veth only delivers if the peer runs XDP too.
     * Others: no mode flag, so the kernel picks native where the driver supports XDP and generic
     * otherwise; if native attach fails for a driver reason we retry generic. EEXIST/EBUSY (another
     * program is there) is not retried: the kernel forbids mixing modes anyway.
     */
    private int createLink(Device device) {
        if ("veth".equals(device.kind())) {
            return bpf.linkCreateXdp(loaded.progFd(), device.ifindex(), Bpf.XDP_FLAGS_SKB_MODE);
        }
        try {
            return bpf.linkCreateXdp(loaded.progFd(), device.ifindex(), 0);
        } catch (DatapathException e) {
            if (e.errno() == Errno.EEXIST || e.errno() == Errno.EBUSY) {
                throw e;
            }
            LOG.warning("native XDP attach on " + device.name() + " failed (" + e.errnoName() + "), using generic mode");
            return bpf.linkCreateXdp(loaded.progFd(), device.ifindex(), Bpf.XDP_FLAGS_SKB_MODE);
        }
    }

    private void writeMac(Device device) {
        if (device.mac() == null) {
            throw new IllegalArgumentException(device.name() + " has no MAC address");
        }
        bpf.update(loaded.macMapFd(), ResponderKeys.encodeIfindex(device.ifindex()), ResponderKeys.encodeMac(device.mac()),
                Bpf.BPF_ANY);
    }

    @Override
    public void detach(String name) {
        Path pin = linkPin(name);
        if (!Files.exists(pin)) {
            return;
        }
        int fd = bpf.objGet(pin.toString());
        try {
            int ifindex = bpf.linkInfo(fd).ifindex();
            try {
                bpf.linkDetach(fd);
            } catch (DatapathException e) {
                LOG.fine("detach " + name + ": " + e.getMessage());
            }
            if (ifindex != 0) {
                bpf.delete(loaded.macMapFd(), ResponderKeys.encodeIfindex(ifindex));
            }
        } finally {
            bpf.close(fd);
        }
        deletePin(pin);
    }

    @Override
    public Set<String> attachedInterfaces() {
        Set<String> out = new TreeSet<>();
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(pinDir, LINK_PREFIX + "*")) {
            for (Path p : ds) {
                out.add(p.getFileName().toString().substring(LINK_PREFIX.length()));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out;
    }

    @Override
    public void refreshLiveness() {
        writeLiveness(Libc.monotonicNanos(), maxAgeNanos);
    }

    @Override
    public void stopAnswering() {
        writeLiveness(0, maxAgeNanos);
    }

    /** {@code lastRefreshNanos} on CLOCK_MONOTONIC (bpf_ktime_get_ns); 0 = never (program stays silent). */
    public void writeLiveness(long lastRefreshNanos, long maxAgeNanos) {
        byte[] v = ByteBuffer.allocate(16).order(ByteOrder.nativeOrder()).putLong(lastRefreshNanos).putLong(maxAgeNanos).array();
        bpf.update(loaded.livenessMapFd(), ResponderKeys.encodeIfindex(0), v, Bpf.BPF_ANY);
    }

    private static void deletePin(Path pin) {
        try {
            Files.deleteIfExists(pin);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Closes our fds. Pinned maps and links stay: the program keeps answering until the liveness
     * stamp expires, so a restarting agent causes no ARP gap.
     */
    @Override
    public void close() {
        loaded.close();
    }

    /** Removes everything we pinned (links first, so the program detaches). For uninstall and tests. */
    public void destroyPins() {
        for (String name : attachedInterfaces()) {
            detach(name);
        }
        for (String m : BpfLoader.MAPS) {
            deletePin(pinDir.resolve(m));
        }
    }
}
