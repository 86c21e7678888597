package dev.l2announcer.datapath.linux;

import dev.l2announcer.datapath.ResponderDiff;
import dev.l2announcer.datapath.ResponderEntry;
import dev.l2announcer.datapath.ResponderKeys;
import dev.l2announcer.datapath.ResponderMap;

import dev.l2announcer.datapath.DatapathException;

import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;

/**
 * The pinned l2_responder_v4 map. Not thread-safe: the reconciler is its only writer. Its capacity is the kernel
 * map's own max_entries (ebpf/l2_responder.bpf.c is the one place that sets it).
 */
public final class BpfResponderMap implements ResponderMap {
    private static final byte[] ZERO = new byte[ResponderKeys.VALUE_SIZE];
    private final Bpf bpf;
    private final int fd;
    private final int capacity;

    public BpfResponderMap(Bpf bpf, int mapFd) {
        this.bpf = bpf;
        this.fd = mapFd;
        this.capacity = bpf.mapInfo(mapFd).maxEntries();
    }

    @Override
    public void put(ResponderEntry entry) {
        try {
            // NOEXIST keeps the counter of an entry that is already there.
            bpf.update(fd, ResponderKeys.encode(entry), ZERO, Bpf.BPF_NOEXIST);
        } catch (DatapathException e) {
            if (e.errno() != Errno.EEXIST) {
                throw e;
            }
        }
    }

    @Override
    public void delete(ResponderEntry entry) {
        bpf.delete(fd, ResponderKeys.encode(entry));
    }

    /** Batch ops need kernel >= 5.6; older kernels answer EINVAL/ENOTSUPP and we walk key by key. */
    private boolean batchOps = true;

    private boolean batchUnsupported(DatapathException e) {
        if (e.errno() == Errno.EINVAL || e.errno() == Errno.EOPNOTSUPP || e.errno() == 524 /* ENOTSUPP */) {
            batchOps = false;
            return true;
        }
        return false;
    }

    @Override
    public Map<ResponderEntry, Long> list() {
        if (batchOps) {
            try {
                Bpf.Batch b = bpf.lookupAll(fd, ResponderKeys.KEY_SIZE, ResponderKeys.VALUE_SIZE, capacity);
                Map<ResponderEntry, Long> out = new HashMap<>();
                for (int i = 0; i < b.count(); i++) {
                    byte[] k = Arrays.copyOfRange(b.keys(), i * ResponderKeys.KEY_SIZE, (i + 1) * ResponderKeys.KEY_SIZE);
                    byte[] v = Arrays.copyOfRange(b.values(), i * ResponderKeys.VALUE_SIZE, (i + 1) * ResponderKeys.VALUE_SIZE);
                    out.put(ResponderKeys.decode(k), ResponderKeys.decodeCounter(v));
                }
                return out;
            } catch (DatapathException e) {
                if (!batchUnsupported(e)) {
                    throw e;
                }
            }
        }
        return listKeyByKey();
    }

    private Map<ResponderEntry, Long> listKeyByKey() {
        Map<ResponderEntry, Long> out = new HashMap<>();
        byte[] key = null;
        byte[] next = new byte[ResponderKeys.KEY_SIZE];
        byte[] value = new byte[ResponderKeys.VALUE_SIZE];
        // Bounded: the map holds at most capacity keys; a concurrent delete can restart the walk, so allow slack.
        for (int guard = 0; guard < 4 * capacity && bpf.nextKey(fd, key, next); guard++) {
            if (bpf.lookup(fd, next, value)) {
                out.put(ResponderKeys.decode(next), ResponderKeys.decodeCounter(value));
            }
            key = next.clone();
        }
        return out;
    }

    @Override
    public int capacity() {
        return capacity;
    }

    @Override
    public SyncResult sync(Set<ResponderEntry> desired) {
        ResponderDiff diff = ResponderDiff.within(list().keySet(), desired, capacity);
        if (batchOps) {
            try {
                // Deletes first, so a full map has room for the additions.
                bpf.deleteBatch(fd, packKeys(diff.toDelete()), diff.toDelete().size());
                // The diff says these keys are absent and only we create keys: ANY cannot reset a counter.
                bpf.updateBatch(fd, packKeys(diff.toAdd()), new byte[diff.toAdd().size() * ResponderKeys.VALUE_SIZE],
                        diff.toAdd().size(), Bpf.BPF_ANY);
                return new SyncResult(diff.toAdd(), diff.toDelete(), diff.rejected());
            } catch (DatapathException e) {
                if (!batchUnsupported(e) && e.errno() != Errno.ENOENT) {
                    throw e;
                }
                // ENOENT: a key vanished meanwhile; finish element by element (idempotent).
            }
        }
        for (ResponderEntry e : diff.toDelete()) {
            delete(e);
        }
        for (ResponderEntry e : diff.toAdd()) {
            put(e);
        }
        return new SyncResult(diff.toAdd(), diff.toDelete(), diff.rejected());
    }

    private static byte[] packKeys(Set<ResponderEntry> entries) {
        byte[] out = new byte[entries.size() * ResponderKeys.KEY_SIZE];
        int i = 0;
        for (ResponderEntry e : entries) {
            System.arraycopy(ResponderKeys.encode(e), 0, out, i, ResponderKeys.KEY_SIZE);
            i += ResponderKeys.KEY_SIZE;
        }
        return out;
    }
}
