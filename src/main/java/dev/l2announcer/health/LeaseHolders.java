package dev.l2announcer.health;

import java.util.Map;

/** The announcement Leases as last observed (an informer cache in production, a map in tests). */
@FunctionalInterface
public interface LeaseHolders {
    /** Every observed announcement Lease by name. */
    Map<String, ObservedLease> observed();
}
