package dev.l2announcer.observability;

import java.util.HashMap;
import java.util.Map;

/**
 * Turns the per-entry {@code responses_sent} counters of the responder map, which vanish when an
 * entry is deleted and restart at 0 when it is re-created, into one monotonic total for a
 * Prometheus counter. Synchronised: scrapes may run concurrently.
 */
final class ArpResponseTotals {
    private final Map<Object, Long> lastSeen = new HashMap<>();
    private long retired;

    synchronized <K> long total(Map<K, Long> current) {
        for (var it = lastSeen.entrySet().iterator(); it.hasNext(); ) {
            var e = it.next();
            Long now = current.get(e.getKey());
            if (now == null) {
                retired += e.getValue();
                it.remove();
            } else if (now < e.getValue()) {
                retired += e.getValue(); // deleted and re-created between two scrapes
            }
        }
        long sum = 0;
        for (var e : current.entrySet()) {
            lastSeen.put(e.getKey(), e.getValue());
            sum += e.getValue();
        }
        return retired + sum;
    }
}
