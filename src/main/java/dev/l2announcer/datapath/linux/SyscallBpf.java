package dev.l2announcer.datapath.linux;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * {@link Bpf} through libc {@code syscall(SYS_bpf, cmd, attr, size)}. Each call allocates a fresh
 * zeroed attr: the kernel rejects non-zero bytes past the command's last field (EINVAL).
 */
public final class SyscallBpf implements Bpf {
    private static final int MAP_CREATE = 0, MAP_LOOKUP_ELEM = 1, MAP_UPDATE_ELEM = 2, MAP_DELETE_ELEM = 3,
            MAP_GET_NEXT_KEY = 4, OBJ_PIN = 6, OBJ_GET = 7, PROG_GET_NEXT_ID = 11, MAP_GET_NEXT_ID = 12,
            PROG_GET_FD_BY_ID = 13, MAP_GET_FD_BY_ID = 14, OBJ_GET_INFO_BY_FD = 15, LINK_CREATE = 28,
            LINK_UPDATE = 29, LINK_DETACH = 34, MAP_LOOKUP_BATCH = 24, MAP_UPDATE_BATCH = 26, MAP_DELETE_BATCH = 27;
    private static final int ATTR_SIZE = 64;

    private static long sys(Arena a, int cmd, MemorySegment attr, String op) {
        MemorySegment cap = Libc.capture(a);
        long rc;
        try {
            rc = (long) Libc.SYSCALL4.invokeExact(cap, Libc.SYS_BPF, (long) cmd, attr.address(), (long) ATTR_SIZE);
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
        if (rc < 0) {
            throw Errno.failure(op, Libc.errno(cap));
        }
        return rc;
    }

    /** Like {@link #sys} but returns -errno instead of throwing. */
    private static long sysOrErrno(Arena a, int cmd, MemorySegment attr) {
        MemorySegment cap = Libc.capture(a);
        long rc;
        try {
            rc = (long) Libc.SYSCALL4.invokeExact(cap, Libc.SYS_BPF, (long) cmd, attr.address(), (long) ATTR_SIZE);
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
        return rc < 0 ? -Libc.errno(cap) : rc;
    }

    private static MemorySegment bytes(Arena a, byte[] b) {
        MemorySegment s = a.allocate(Math.max(1, b.length), 8);
        MemorySegment.copy(b, 0, s, JAVA_BYTE, 0, b.length);
        return s;
    }

    @Override
    public int mapCreate(int type, int keySize, int valueSize, int maxEntries, String name) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment attr = a.allocate(ATTR_SIZE, 8);
            attr.set(JAVA_INT, 0, type);
            attr.set(JAVA_INT, 4, keySize);
            attr.set(JAVA_INT, 8, valueSize);
            attr.set(JAVA_INT, 12, maxEntries);
            byte[] n = name.getBytes(StandardCharsets.US_ASCII);
            MemorySegment.copy(n, 0, attr, JAVA_BYTE, 28, Math.min(15, n.length));
            return (int) sys(a, MAP_CREATE, attr, "BPF_MAP_CREATE " + name);
        }
    }

    private static MemorySegment elemAttr(Arena a, int fd, MemorySegment key, MemorySegment value, long flags) {
        MemorySegment attr = a.allocate(ATTR_SIZE, 8);
        attr.set(JAVA_INT, 0, fd);
        attr.set(JAVA_LONG, 8, key == null ? 0 : key.address());
        attr.set(JAVA_LONG, 16, value == null ? 0 : value.address());
        attr.set(JAVA_LONG, 24, flags);
        return attr;
    }

    /** ENOENT (no such key / no next key) is an answer, not a failure; other errors throw. */
    private static boolean found(long rc, String op) {
        if (rc == -Errno.ENOENT) {
            return false;
        }
        if (rc < 0) {
            throw Errno.failure(op, (int) -rc);
        }
        return true;
    }

    @Override
    public boolean lookup(int mapFd, byte[] key, byte[] value) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment v = a.allocate(value.length, 8);
            if (!found(sysOrErrno(a, MAP_LOOKUP_ELEM, elemAttr(a, mapFd, bytes(a, key), v, 0)), "BPF_MAP_LOOKUP_ELEM")) {
                return false;
            }
            MemorySegment.copy(v, JAVA_BYTE, 0, value, 0, value.length);
            return true;
        }
    }

    @Override
    public void update(int mapFd, byte[] key, byte[] value, int flags) {
        try (Arena a = Arena.ofConfined()) {
            sys(a, MAP_UPDATE_ELEM, elemAttr(a, mapFd, bytes(a, key), bytes(a, value), flags), "BPF_MAP_UPDATE_ELEM");
        }
    }

    @Override
    public boolean delete(int mapFd, byte[] key) {
        try (Arena a = Arena.ofConfined()) {
            return found(sysOrErrno(a, MAP_DELETE_ELEM, elemAttr(a, mapFd, bytes(a, key), null, 0)), "BPF_MAP_DELETE_ELEM");
        }
    }

    @Override
    public boolean nextKey(int mapFd, byte[] key, byte[] next) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment n = a.allocate(next.length, 8);
            if (!found(sysOrErrno(a, MAP_GET_NEXT_KEY, elemAttr(a, mapFd, key == null ? null : bytes(a, key), n, 0)),
                    "BPF_MAP_GET_NEXT_KEY")) {
                return false;
            }
            MemorySegment.copy(n, JAVA_BYTE, 0, next, 0, next.length);
            return true;
        }
    }

    @Override
    public Batch lookupAll(int mapFd, int keySize, int valueSize, int maxEntries) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment keys = a.allocate((long) keySize * maxEntries, 8);
            MemorySegment values = a.allocate((long) valueSize * maxEntries, 8);
            MemorySegment inBatch = a.allocate(8, 8), outBatch = a.allocate(8, 8);
            int total = 0;
            boolean first = true;
            // Bounded: each round returns >= 1 entry or ends; a hash map of maxEntries needs at most that many rounds.
            for (int round = 0; round <= maxEntries && total < maxEntries; round++) {
                MemorySegment attr = a.allocate(ATTR_SIZE, 8);
                attr.set(JAVA_LONG, 0, first ? 0 : inBatch.address());
                attr.set(JAVA_LONG, 8, outBatch.address());
                attr.set(JAVA_LONG, 16, keys.address() + (long) total * keySize);
                attr.set(JAVA_LONG, 24, values.address() + (long) total * valueSize);
                attr.set(JAVA_INT, 32, maxEntries - total);
                attr.set(JAVA_INT, 36, mapFd);
                long rc = sysOrErrno(a, MAP_LOOKUP_BATCH, attr);
                int got = attr.get(JAVA_INT, 32);
                if (rc < 0 && rc != -Errno.ENOENT) {
                    throw Errno.failure("BPF_MAP_LOOKUP_BATCH", (int) -rc);
                }
                total += got;
                if (rc == -Errno.ENOENT) {
                    break;
                }
                MemorySegment.copy(outBatch, 0, inBatch, 0, 8);
                first = false;
            }
            byte[] k = new byte[total * keySize], v = new byte[total * valueSize];
            MemorySegment.copy(keys, JAVA_BYTE, 0, k, 0, k.length);
            MemorySegment.copy(values, JAVA_BYTE, 0, v, 0, v.length);
            return new Batch(k, v, total);
        }
    }

    @Override
    public void updateBatch(int mapFd, byte[] keys, byte[] values, int count, int flags) {
        if (count == 0) {
            return;
        }
        try (Arena a = Arena.ofConfined()) {
            MemorySegment attr = a.allocate(ATTR_SIZE, 8);
            attr.set(JAVA_LONG, 16, bytes(a, keys).address());
            attr.set(JAVA_LONG, 24, bytes(a, values).address());
            attr.set(JAVA_INT, 32, count);
            attr.set(JAVA_INT, 36, mapFd);
            attr.set(JAVA_LONG, 40, flags);
            long rc = sysOrErrno(a, MAP_UPDATE_BATCH, attr);
            if (rc < 0) {
                throw Errno.failure("BPF_MAP_UPDATE_BATCH", (int) -rc, attr.get(JAVA_INT, 32) + " of " + count + " done");
            }
        }
    }

    @Override
    public void deleteBatch(int mapFd, byte[] keys, int count) {
        if (count == 0) {
            return;
        }
        try (Arena a = Arena.ofConfined()) {
            MemorySegment attr = a.allocate(ATTR_SIZE, 8);
            attr.set(JAVA_LONG, 16, bytes(a, keys).address());
            attr.set(JAVA_INT, 32, count);
            attr.set(JAVA_INT, 36, mapFd);
            long rc = sysOrErrno(a, MAP_DELETE_BATCH, attr);
            if (rc < 0) {
                throw Errno.failure("BPF_MAP_DELETE_BATCH", (int) -rc, attr.get(JAVA_INT, 32) + " of " + count + " done");
            }
        }
    }

    @Override
    public int objGet(String path) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment attr = a.allocate(ATTR_SIZE, 8);
            attr.set(JAVA_LONG, 0, a.allocateFrom(path).address());
            return (int) sys(a, OBJ_GET, attr, "BPF_OBJ_GET " + path);
        }
    }

    @Override
    public void objPin(int fd, String path) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment attr = a.allocate(ATTR_SIZE, 8);
            attr.set(JAVA_LONG, 0, a.allocateFrom(path).address());
            attr.set(JAVA_INT, 8, fd);
            sys(a, OBJ_PIN, attr, "BPF_OBJ_PIN " + path);
        }
    }

    private static int nextId(int cmd, int startId) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment attr = a.allocate(ATTR_SIZE, 8);
            attr.set(JAVA_INT, 0, startId);
            long rc = sysOrErrno(a, cmd, attr);
            if (rc == -Errno.ENOENT) {
                return 0;
            }
            if (rc < 0) {
                throw Errno.failure(cmd == MAP_GET_NEXT_ID ? "BPF_MAP_GET_NEXT_ID" : "BPF_PROG_GET_NEXT_ID", (int) -rc);
            }
            return attr.get(JAVA_INT, 4);
        }
    }

    @Override
    public int nextMapId(int startId) {
        return nextId(MAP_GET_NEXT_ID, startId);
    }

    @Override
    public int nextProgId(int startId) {
        return nextId(PROG_GET_NEXT_ID, startId);
    }

    private static int fdById(int cmd, int id, String op) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment attr = a.allocate(ATTR_SIZE, 8);
            attr.set(JAVA_INT, 0, id);
            return (int) sys(a, cmd, attr, op + " " + id);
        }
    }

    @Override
    public int mapFdById(int id) {
        return fdById(MAP_GET_FD_BY_ID, id, "BPF_MAP_GET_FD_BY_ID");
    }

    @Override
    public int progFdById(int id) {
        return fdById(PROG_GET_FD_BY_ID, id, "BPF_PROG_GET_FD_BY_ID");
    }

    private static MemorySegment info(Arena a, int fd, int infoSize, String op) {
        MemorySegment info = a.allocate(infoSize, 8);
        MemorySegment attr = a.allocate(ATTR_SIZE, 8);
        attr.set(JAVA_INT, 0, fd);
        attr.set(JAVA_INT, 4, infoSize);
        attr.set(JAVA_LONG, 8, info.address());
        sys(a, OBJ_GET_INFO_BY_FD, attr, op);
        return info;
    }

    private static String cString(MemorySegment s, long offset, int max) {
        byte[] b = new byte[max];
        MemorySegment.copy(s, JAVA_BYTE, offset, b, 0, max);
        int n = 0;
        while (n < max && b[n] != 0) {
            n++;
        }
        return new String(b, 0, n, StandardCharsets.US_ASCII);
    }

    @Override
    public MapInfo mapInfo(int mapFd) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment i = info(a, mapFd, 88, "BPF_OBJ_GET_INFO_BY_FD(map)");
            return new MapInfo(i.get(JAVA_INT, 4), i.get(JAVA_INT, 0), i.get(JAVA_INT, 8), i.get(JAVA_INT, 12),
                    i.get(JAVA_INT, 16), cString(i, 24, 16));
        }
    }

    @Override
    public ProgInfo progInfo(int progFd) {
        try (Arena a = Arena.ofConfined()) {
            // Two passes: the first learns nr_map_ids, the second hands the kernel a buffer for them.
            MemorySegment first = info(a, progFd, 232, "BPF_OBJ_GET_INFO_BY_FD(prog)");
            int nrMaps = first.get(JAVA_INT, 52);
            List<Integer> mapIds = new ArrayList<>();
            if (nrMaps > 0) {
                MemorySegment ids = a.allocate(4L * nrMaps, 8);
                MemorySegment info = a.allocate(232, 8);
                info.set(JAVA_INT, 52, nrMaps);
                info.set(JAVA_LONG, 56, ids.address());
                MemorySegment attr = a.allocate(ATTR_SIZE, 8);
                attr.set(JAVA_INT, 0, progFd);
                attr.set(JAVA_INT, 4, 232);
                attr.set(JAVA_LONG, 8, info.address());
                sys(a, OBJ_GET_INFO_BY_FD, attr, "BPF_OBJ_GET_INFO_BY_FD(prog map_ids)");
                int got = Math.min(nrMaps, info.get(JAVA_INT, 52));
                for (int k = 0; k < got; k++) {
                    mapIds.add(ids.getAtIndex(JAVA_INT, k));
                }
            }
            return new ProgInfo(first.get(JAVA_INT, 4), first.get(JAVA_INT, 0), cString(first, 64, 16), List.copyOf(mapIds));
        }
    }

    @Override
    public LinkInfo linkInfo(int linkFd) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment i = info(a, linkFd, 64, "BPF_OBJ_GET_INFO_BY_FD(link)");
            return new LinkInfo(i.get(JAVA_INT, 4), i.get(JAVA_INT, 0), i.get(JAVA_INT, 8), i.get(JAVA_INT, 16));
        }
    }

    @Override
    public int linkCreateXdp(int progFd, int ifindex, int xdpFlags) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment attr = a.allocate(ATTR_SIZE, 8);
            attr.set(JAVA_INT, 0, progFd);
            attr.set(JAVA_INT, 4, ifindex);
            attr.set(JAVA_INT, 8, ATTACH_XDP);
            attr.set(JAVA_INT, 12, xdpFlags);
            return (int) sys(a, LINK_CREATE, attr, "BPF_LINK_CREATE(xdp, ifindex " + ifindex + ")");
        }
    }

    @Override
    public void linkUpdate(int linkFd, int newProgFd) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment attr = a.allocate(ATTR_SIZE, 8);
            attr.set(JAVA_INT, 0, linkFd);
            attr.set(JAVA_INT, 4, newProgFd);
            sys(a, LINK_UPDATE, attr, "BPF_LINK_UPDATE");
        }
    }

    @Override
    public void linkDetach(int linkFd) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment attr = a.allocate(ATTR_SIZE, 8);
            attr.set(JAVA_INT, 0, linkFd);
            sys(a, LINK_DETACH, attr, "BPF_LINK_DETACH");
        }
    }

    @Override
    public void close(int fd) {
        if (fd >= 0) {
            Libc.close(fd);
        }
    }
}
