package dev.l2announcer.datapath;

/** Why a desired announcement is not in the map after a convergence. */
public enum DatapathFailure {
    /** The interface does not exist, has no MAC, or our program could not be attached there. */
    NO_INTERFACE,
    /** The map is full: the entry did not fit (entries already installed are never evicted for new ones). */
    MAP_FULL
}
