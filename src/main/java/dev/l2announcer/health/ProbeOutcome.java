package dev.l2announcer.health;

/** What one probe (ARP or NDP) for an announced IP on one local interface found. */
public enum ProbeOutcome {
    /** Only the holder's published MAC(s) answered. */
    OK("ok"),
    /** Exactly one MAC answered, but the holder published no MACs (older agent, bad annotation). */
    UNVERIFIED("unverified"),
    /** Nobody answered within the window: clients cannot reach the IP from this segment. */
    NO_ANSWER("no-answer"),
    /** One MAC answered and it is not the holder's: stale or foreign responder. */
    WRONG_RESPONDER("wrong-responder"),
    /** More than one MAC answered (at least one not the holder's): clients flap between them. */
    SPLIT_BRAIN("split-brain"),
    /** The probe could not be sent (socket error, interface gone). */
    ERROR("error");

    private final String label;

    ProbeOutcome(String label) {
        this.label = label;
    }

    /** The stable name used in the report, JSON, metrics label and events. */
    public String label() {
        return label;
    }

    public boolean healthy() {
        return this == OK || this == UNVERIFIED;
    }
}
