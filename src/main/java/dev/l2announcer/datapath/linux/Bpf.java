package dev.l2announcer.datapath.linux;

import java.util.List;

/**
 * bpf(2) commands the datapath uses, on plain file descriptors (the caller closes them with
 * {@link #close}). Failures throw {@link dev.l2announcer.datapath.DatapathException} with the errno name.
 */
public interface Bpf {
    int BPF_ANY = 0, BPF_NOEXIST = 1, BPF_EXIST = 2;
    int MAP_TYPE_HASH = 1, MAP_TYPE_ARRAY = 2;
    int ATTACH_XDP = 37;
    int XDP_FLAGS_SKB_MODE = 2, XDP_FLAGS_DRV_MODE = 4;

    record MapInfo(int id, int type, int keySize, int valueSize, int maxEntries, String name) {}

    record ProgInfo(int id, int type, String name, List<Integer> mapIds) {}

    /** {@code ifindex} is only meaningful for XDP links (0 once the device is gone). */
    record LinkInfo(int id, int type, int progId, int ifindex) {}

    int mapCreate(int type, int keySize, int valueSize, int maxEntries, String name);

    /** @return false when the key is absent */
    boolean lookup(int mapFd, byte[] key, byte[] value);

    void update(int mapFd, byte[] key, byte[] value, int flags);

    /** @return false when the key was absent */
    boolean delete(int mapFd, byte[] key);

    /** @return false at the end; {@code key == null} asks for the first key */
    boolean nextKey(int mapFd, byte[] key, byte[] next);

    /** Keys and values side by side, {@code count} of each. */
    record Batch(byte[] keys, byte[] values, int count) {}

    /** BPF_MAP_LOOKUP_BATCH over the whole map (kernel >= 5.6). */
    Batch lookupAll(int mapFd, int keySize, int valueSize, int maxEntries);

    /** BPF_MAP_UPDATE_BATCH of {@code count} packed keys/values. */
    void updateBatch(int mapFd, byte[] keys, byte[] values, int count, int flags);

    /** BPF_MAP_DELETE_BATCH of {@code count} packed keys (ENOENT if one is absent). */
    void deleteBatch(int mapFd, byte[] keys, int count);

    /** BPF_OBJ_GET: fd of a pinned object. */
    int objGet(String path);

    void objPin(int fd, String path);

    /** @return the next id after {@code startId}, or 0 at the end */
    int nextMapId(int startId);

    int nextProgId(int startId);

    int mapFdById(int id);

    int progFdById(int id);

    MapInfo mapInfo(int mapFd);

    ProgInfo progInfo(int progFd);

    LinkInfo linkInfo(int linkFd);

    int linkCreateXdp(int progFd, int ifindex, int xdpFlags);

    /** BPF_LINK_UPDATE: atomically swaps the link's program. */
    void linkUpdate(int linkFd, int newProgFd);

    void linkDetach(int linkFd);

    void close(int fd);
}
