package dev.l2announcer.election;

import java.time.Instant;

/** What the election engine tells the announce loop about one lease held by this node. */
public sealed interface LeadershipEvent {
    String leaseName();

    /** This node's conditional write made it the holder. */
    record Acquired(String leaseName, Instant at) implements LeadershipEvent {}

    /** This node must stop announcing now (renew deadline passed, another holder observed, ...). */
    record Lost(String leaseName, String reason, Instant at) implements LeadershipEvent {}

    /** This node gave the lease up on purpose (no longer a candidate, shutdown). */
    record Released(String leaseName, Instant at) implements LeadershipEvent {}
}
