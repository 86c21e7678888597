package dev.l2announcer.datapath.linux;

import dev.l2announcer.datapath.AddressFamily;
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
 * One pinned responder map, l2_responder_v4 or l2_responder_v6 (told apart by the kernel map's key size). Not
 * thread-safe: the reconciler is its only writer. Its capacity is the kernel map's own max_entries
 * (ebpf/l2_responder.bpf.c is the one place that sets it); entries of the other family are refused.
 */
public final class BpfResponderMap implements ResponderMap {
    private static final byte[] ZERO = new byte[ResponderKeys.VALUE_SIZE];
    private final Bpf bpf;
    private final int fd;
    private final int capacity;
    private final AddressFamily family;
    private final int keySize;

    public BpfResponderMap(Bpf bpf, int mapFd) {
        this.bpf = bpf;
        this.fd = mapFd;
        Bpf.MapInfo info = bpf.mapInfo(mapFd);
        this.capacity = info.maxEntries();
        this.keySize = info.keySize();
        this.family = ResponderKeys.familyOfKeySize(keySize);
    }

    public AddressFamily family() {
        return family;
    }

    private byte[] key(ResponderEntry e) {
        if (e.family() != family) {
            throw new IllegalArgumentException(e.ip().getHostAddress() + " does not belong in " + family.mapName());
        }
        return ResponderKeys.encode(e);
    }

    @Override
    public void put(ResponderEntry entry) {
        try {
            // NOEXIST keeps the counter of an entry that is already there.
            bpf.update(fd, key(entry), ZERO, Bpf.BPF_NOEXIST);
        } catch (DatapathException e) {
            if (e.errno() != Errno.EEXIST) {
                throw e;
            }
        }
    }

    @Override
    public void delete(ResponderEntry entry) {
        bpf.delete(fd, key(entry));
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
                Bpf.Batch b = bpf.lookupAll(fd, keySize, ResponderKeys.VALUE_SIZE, capacity);
                Map<ResponderEntry, Long> out = new HashMap<>();
                for (int i = 0; i < b.count(); i++) {
                    byte[] k = Arrays.copyOfRange(b.keys(), i * keySize, (i + 1) * keySize);
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
        byte[] next = new byte[keySize];
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
    public int capacity(AddressFamily f) {
        return f == family ? capacity : 0;
    }

    @Override
    public SyncResult sync(Set<ResponderEntry> desired) {
        desired.forEach(this::key); // refuses another family's entry before anything changes
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

    private byte[] packKeys(Set<ResponderEntry> entries) {
        byte[] out = new byte[entries.size() * keySize];
        int i = 0;
        for (ResponderEntry e : entries) {
            System.arraycopy(key(e), 0, out, i, keySize);
            i += keySize;
        }
        return out;
    }
}
