package dev.l2announcer.datapath;

import java.util.List;

/** Network links of this node's network namespace (rtnetlink), or an in-memory fake. */
public interface Devices {
    List<Device> list();

    /** Calls {@code onChange} after links changed (coalesced: re-read with {@link #list()}). Close to stop. */
    AutoCloseable subscribe(Runnable onChange);
}
