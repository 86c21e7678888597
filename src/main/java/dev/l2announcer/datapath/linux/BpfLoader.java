package dev.l2announcer.datapath.linux;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.invoke.MethodHandle;
import java.nio.file.Files;
import java.nio.file.Path;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * Loads the responder object with the system libbpf (libbpf.so.1) through FFM. Every map is pinned
 * by name in one configurable directory and nowhere else: mixing loaders/pin dirs is how two maps
 * with one name come to exist (the field bug). A second load reuses the pinned maps and their entries.
 */
public final class BpfLoader {
    public static final String RESOURCE = "/bpf/l2_responder.bpf.o";
    public static final String PROGRAM = "l2_responder";
    public static final String RESPONDER_MAP = "l2_responder_v4";
    public static final String RESPONDER_MAP_V6 = "l2_responder_v6";
    public static final String MAC_MAP = "l2_if_mac";
    public static final String LIVENESS_MAP = "l2_liveness";
    /** Every map of the object, all pinned by name in the pin dir. */
    static final java.util.List<String> MAPS = java.util.List.of(RESPONDER_MAP, RESPONDER_MAP_V6, MAC_MAP, LIVENESS_MAP);
    static final long BPF_FS_MAGIC = 0xcafe4a11L;

    private static final Arena LIB_ARENA = Arena.global();
    private static volatile Lib lib;

    private record Lib(MethodHandle openMem, MethodHandle findMap, MethodHandle setPinPath, MethodHandle load,
                       MethodHandle findProg, MethodHandle progFd, MethodHandle mapFd, MethodHandle close) {}

    private static Lib lib() {
        Lib l = lib;
        if (l == null) {
            synchronized (BpfLoader.class) {
                if (lib == null) {
                    SymbolLookup s = SymbolLookup.libraryLookup("libbpf.so.1", LIB_ARENA);
                    Linker k = Libc.LINKER;
                    Linker.Option errno = Linker.Option.captureCallState("errno");
                    lib = new Lib(
                            k.downcallHandle(s.findOrThrow("bpf_object__open_mem"), FunctionDescriptor.of(ADDRESS, ADDRESS, JAVA_LONG, ADDRESS), errno),
                            k.downcallHandle(s.findOrThrow("bpf_object__find_map_by_name"), FunctionDescriptor.of(ADDRESS, ADDRESS, ADDRESS)),
                            k.downcallHandle(s.findOrThrow("bpf_map__set_pin_path"), FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS)),
                            k.downcallHandle(s.findOrThrow("bpf_object__load"), FunctionDescriptor.of(JAVA_INT, ADDRESS)),
                            k.downcallHandle(s.findOrThrow("bpf_object__find_program_by_name"), FunctionDescriptor.of(ADDRESS, ADDRESS, ADDRESS)),
                            k.downcallHandle(s.findOrThrow("bpf_program__fd"), FunctionDescriptor.of(JAVA_INT, ADDRESS)),
                            k.downcallHandle(s.findOrThrow("bpf_map__fd"), FunctionDescriptor.of(JAVA_INT, ADDRESS)),
                            k.downcallHandle(s.findOrThrow("bpf_object__close"), FunctionDescriptor.ofVoid(ADDRESS)));
                }
                l = lib;
            }
        }
        return l;
    }

    /**
     * The open libbpf object and its fds; the fds stay valid until {@link #close()}. Closing twice is
     * a no-op: a second bpf_object__close would free the object again and close fd numbers the
     * process may have reused meanwhile.
     */
    public record Loaded(MemorySegment object, int progFd, int responderMapFd, int responderV6MapFd, int macMapFd,
                         int livenessMapFd, Arena arena, java.util.concurrent.atomic.AtomicBoolean closed) implements AutoCloseable {
        public Loaded(MemorySegment object, int progFd, int responderMapFd, int responderV6MapFd, int macMapFd,
                      int livenessMapFd, Arena arena) {
            this(object, progFd, responderMapFd, responderV6MapFd, macMapFd, livenessMapFd, arena,
                    new java.util.concurrent.atomic.AtomicBoolean());
        }

        @Override
        public void close() {
            if (!closed.compareAndSet(false, true)) {
                return;
            }
            try {
                lib().close().invokeExact(object);
            } catch (Throwable t) {
                throw new IllegalStateException(t);
            }
            arena.close();
        }
    }

    /** Mounts bpffs on /sys/fs/bpf when it is not one yet, and creates {@code pinDir}. */
    public static void preparePinDir(Path pinDir) {
        Path bpffs = Path.of("/sys/fs/bpf");
        if (!pinDir.startsWith(bpffs)) {
            if (!isBpfFs(pinDir.getParent())) {
                throw Errno.failure("pin dir " + pinDir, Errno.EINVAL, "not on a bpf filesystem");
            }
        } else if (!isBpfFs(bpffs)) {
            mountBpfFs(bpffs);
        }
        try {
            Files.createDirectories(pinDir);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static boolean isBpfFs(Path p) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment buf = a.allocate(120, 8);
            MemorySegment cap = Libc.capture(a);
            int rc = (int) Libc.STATFS.invokeExact(cap, a.allocateFrom(p.toString()), buf);
            return rc == 0 && (buf.get(JAVA_LONG, 0) & 0xffffffffL) == BPF_FS_MAGIC;
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    private static void mountBpfFs(Path target) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment cap = Libc.capture(a);
            int rc = (int) Libc.MOUNT.invokeExact(cap, a.allocateFrom("bpf"), a.allocateFrom(target.toString()),
                    a.allocateFrom("bpf"), 0L, MemorySegment.NULL);
            if (rc != 0) {
                throw Errno.failure("mount -t bpf bpf " + target, Libc.errno(cap));
            }
        } catch (RuntimeException e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    /** Reads the object packaged in the jar (built by ebpf/build.sh). */
    public static byte[] packagedObject() {
        try (InputStream in = BpfLoader.class.getResourceAsStream(RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException(RESOURCE + " is not on the classpath: build it with ebpf/build.sh (needs clang)");
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Opens, pins (by name, in {@code pinDir}) and loads the responder. */
    public Loaded load(Path pinDir) {
        return load(packagedObject(), pinDir);
    }

    public Loaded load(byte[] elf, Path pinDir) {
        preparePinDir(pinDir);
        Lib l = lib();
        Arena arena = Arena.ofShared();
        MemorySegment obj = MemorySegment.NULL;
        boolean ok = false;
        try {
            MemorySegment buf = arena.allocate(elf.length, 8);
            MemorySegment.copy(elf, 0, buf, JAVA_BYTE, 0, elf.length);
            MemorySegment cap = Libc.capture(arena);
            obj = (MemorySegment) l.openMem().invokeExact(cap, buf, (long) elf.length, MemorySegment.NULL);
            if (obj.address() == 0) {
                throw Errno.failure("bpf_object__open_mem", Libc.errno(cap));
            }
            // A pin dir of an agent from before l2_responder_v6 existed: libbpf reuses the pinned v4, MAC and liveness
            // maps (entries kept) and creates and pins the v6 map.
            for (String name : MAPS) {
                MemorySegment map = (MemorySegment) l.findMap().invokeExact(obj, arena.allocateFrom(name));
                if (map.address() == 0) {
                    throw Errno.failure("bpf_object__find_map_by_name " + name, Errno.ENOENT);
                }
                int rc = (int) l.setPinPath().invokeExact(map, arena.allocateFrom(pinDir.resolve(name).toString()));
                if (rc < 0) {
                    throw Errno.failure("bpf_map__set_pin_path " + name, -rc);
                }
            }
            int rc = (int) l.load().invokeExact(obj);
            if (rc < 0) {
                throw Errno.failure("bpf_object__load (pin dir " + pinDir + ")", -rc,
                        "an existing pin with an incompatible definition gives EINVAL; see `bpftool map show pinned "
                                + pinDir.resolve(RESPONDER_MAP) + "`");
            }
            MemorySegment prog = (MemorySegment) l.findProg().invokeExact(obj, arena.allocateFrom(PROGRAM));
            int progFd = (int) l.progFd().invokeExact(prog);
            Loaded loaded = new Loaded(obj, progFd, mapFd(l, obj, arena, RESPONDER_MAP), mapFd(l, obj, arena, RESPONDER_MAP_V6),
                    mapFd(l, obj, arena, MAC_MAP), mapFd(l, obj, arena, LIVENESS_MAP), arena);
            ok = true;
            return loaded;
        } catch (RuntimeException e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        } finally {
            if (!ok) {
                if (obj.address() != 0) {
                    try {
                        l.close().invokeExact(obj);
                    } catch (Throwable ignored) {
                        // best effort on the failure path
                    }
                }
                arena.close();
            }
        }
    }

    private static int mapFd(Lib l, MemorySegment obj, Arena arena, String name) throws Throwable {
        MemorySegment map = (MemorySegment) l.findMap().invokeExact(obj, arena.allocateFrom(name));
        return (int) l.mapFd().invokeExact(map);
    }
}
