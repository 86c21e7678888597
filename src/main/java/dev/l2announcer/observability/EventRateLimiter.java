package dev.l2announcer.observability;

import dev.l2announcer.time.Ticker;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;

/**
 * Token bucket per key (service + reason), so a flapping service cannot flood the API server with
 * Events while the first occurrences still get through. Time comes from an injected ticker.
 */
public final class EventRateLimiter {
    private static final int MAX_KEYS = 4096;

    private final Ticker ticker;
    private final int burst;
    private final long refillNanos;
    private final Map<String, Bucket> buckets = new HashMap<>();

    private static final class Bucket {
        double tokens;
        long at;

        Bucket(double tokens, long at) {
            this.tokens = tokens;
            this.at = at;
        }
    }

    /** @param refillEvery one token comes back after this long, up to {@code burst} */
    public EventRateLimiter(Ticker ticker, int burst, Duration refillEvery) {
        if (burst < 1 || refillEvery.isNegative() || refillEvery.isZero()) {
            throw new IllegalArgumentException("burst >= 1 and a positive refill period are required");
        }
        this.ticker = ticker;
        this.burst = burst;
        this.refillNanos = refillEvery.toNanos();
    }

    public synchronized boolean tryAcquire(String key) {
        long now = ticker.nanoTime();
        Bucket b = buckets.get(key);
        if (b == null) {
            if (buckets.size() >= MAX_KEYS) {
                evictFull(now);
            }
            b = new Bucket(burst, now);
            buckets.put(key, b);
        }
        refill(b, now);
        if (b.tokens >= 1) {
            b.tokens -= 1;
            return true;
        }
        return false;
    }

    private void refill(Bucket b, long now) {
        b.tokens = Math.min(burst, b.tokens + (double) (now - b.at) / refillNanos);
        b.at = now;
    }

    /** A full bucket carries no information: forgetting it changes nothing. Keeps memory bounded. */
    private void evictFull(long now) {
        buckets.values().removeIf(b -> {
            refill(b, now);
            return b.tokens >= burst;
        });
        if (buckets.size() >= MAX_KEYS) {
            buckets.clear(); // every key is active: degrade to allowing a burst again rather than grow
        }
    }
}
