package dev.l2announcer.datapath;

import java.util.Set;

/**
 * The ARP responder program's attachment to interfaces, its interface-MAC table and its liveness
 * stamp. Implemented by the pinned-XDP-link datapath, or an in-memory fake.
 */
public interface ResponderProgram {
    /** Idempotent: attaches (or atomically re-points) the program on {@code device} and records its MAC. */
    void attach(Device device);

    /** Detaches from the interface named {@code name}, if we attached there. */
    void detach(String name);

    /** Names of interfaces where our program is attached (through our own pinned links). */
    Set<String> attachedInterfaces();

    /** Tells the program the agent is alive for another {@code maxAge}; without it, the program stops answering. */
    void refreshLiveness();

    /** Stops answering at once (graceful shutdown, leadership lost everywhere). */
    void stopAnswering();
}
