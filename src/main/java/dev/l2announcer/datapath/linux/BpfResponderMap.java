package dev.l2announcer.datapath.linux;

import dev.l2announcer.datapath.ResponderDiff;
import dev.l2announcer.datapath.ResponderEntry;
import dev.l2announcer.datapath.ResponderKeys;
import dev.l2announcer.datapath.ResponderMap;

import java.util.HashMap;
import java.util.Map;
import java.util.Set;

/** The pinned l2_responder_v4 map. Not thread-safe: the reconciler is its only writer. */
public final class BpfResponderMap implements ResponderMap {
    private static final byte[] ZERO = new byte[ResponderKeys.VALUE_SIZE];
    private final Bpf bpf;
    private final int fd;

    public BpfResponderMap(Bpf bpf, int mapFd) {
        this.bpf = bpf;
        this.fd = mapFd;
    }

    @Override
    public void put(ResponderEntry entry) {
        try {
            // NOEXIST keeps the counter of an entry that is already there.
            bpf.update(fd, ResponderKeys.encode(entry), ZERO, Bpf.BPF_NOEXIST);
        } catch (dev.l2announcer.datapath.DatapathException e) {
            if (e.errno() != Errno.EEXIST) {
                throw e;
            }
        }
    }

    @Override
    public void delete(ResponderEntry entry) {
        bpf.delete(fd, ResponderKeys.encode(entry));
    }

    @Override
    public Map<ResponderEntry, Long> list() {
        Map<ResponderEntry, Long> out = new HashMap<>();
        byte[] key = null;
        byte[] next = new byte[ResponderKeys.KEY_SIZE];
        byte[] value = new byte[ResponderKeys.VALUE_SIZE];
        // Bounded: the map holds at most 4096 keys; a concurrent delete can restart the walk, so allow slack.
        for (int guard = 0; guard < 4 * 4096 && bpf.nextKey(fd, key, next); guard++) {
            if (bpf.lookup(fd, next, value)) {
                out.put(ResponderKeys.decode(next), ResponderKeys.decodeCounter(value));
            }
            key = next.clone();
        }
        return out;
    }

    @Override
    public SyncResult sync(Set<ResponderEntry> desired) {
        ResponderDiff diff = ResponderDiff.between(list().keySet(), desired);
        for (ResponderEntry e : diff.toDelete()) {
            delete(e);
        }
        for (ResponderEntry e : diff.toAdd()) {
            put(e);
        }
        return new SyncResult(diff.toAdd(), diff.toDelete());
    }
}
