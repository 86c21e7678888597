package dev.l2announcer.selection;

import java.net.InetAddress;
import java.time.Instant;
import java.util.Objects;
import java.util.Set;

/**
 * An announcement Lease ({@code cilium-l2announce-*}) as it exists in the API, as far as naming groups needs it.
 *
 * @param created   {@code metadata.creationTimestamp}; null when unknown (ordered after every known time)
 * @param addresses what its holder recorded in {@link LeaseAddresses#KEY}; empty when nothing was recorded (a
 *                  Lease written by Cilium or by an older agent)
 */
public record ExistingLease(String name, Instant created, Set<InetAddress> addresses) {
    public ExistingLease {
        Objects.requireNonNull(name, "name");
        addresses = Set.copyOf(addresses);
    }
}
