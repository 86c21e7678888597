package dev.l2announcer.election;

import java.time.Instant;
import java.util.Map;
import java.util.Objects;

/**
 * What a Lease says, as this engine reads and writes it: client-go's {@code LeaderElectionRecord}
 * (resourcelock/interface.go) plus the annotations. {@code durationSeconds} is {@link #UNSET} when the Lease has
 * no {@code leaseDurationSeconds}; times are null when absent.
 */
public record LeaseContent(String holder, int durationSeconds, Instant acquireTime, Instant renewTime, int transitions,
                           Map<String, String> annotations) {
    public static final int UNSET = -1;

    public LeaseContent {
        holder = holder == null ? "" : holder;
        annotations = Map.copyOf(Objects.requireNonNullElse(annotations, Map.of()));
    }

    /** {@code leaseDurationSeconds}, or {@code fallback} when the Lease does not say. */
    public int durationOr(int fallback) {
        return durationSeconds == UNSET ? fallback : durationSeconds;
    }
}
