package dev.l2announcer.time;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.concurrent.atomic.AtomicLong;

/** Test time: a monotonic ticker and a wall clock that move only when the test says so. */
public final class ManualTime implements Ticker {
    private final AtomicLong nanos = new AtomicLong(1_000_000_000L);
    private final AtomicLong wallOffsetNanos = new AtomicLong();
    private final Instant wallStart;

    public ManualTime() {
        this(Instant.parse("2026-01-01T00:00:00Z"));
    }

    public ManualTime(Instant wallStart) {
        this.wallStart = wallStart;
    }

    @Override
    public long nanoTime() {
        return nanos.get();
    }

    public void advance(Duration d) {
        nanos.addAndGet(d.toNanos());
    }

    /** Skews only the wall clock (as a node with a wrong clock would), not the monotonic ticker. */
    public void skewWall(Duration d) {
        wallOffsetNanos.addAndGet(d.toNanos());
    }

    public Clock wallClock() {
        return new Clock() {
            @Override
            public ZoneId getZone() {
                return ZoneOffset.UTC;
            }

            @Override
            public Clock withZone(ZoneId zone) {
                return this;
            }

            @Override
            public Instant instant() {
                return wallStart.plusNanos(nanos.get() - 1_000_000_000L + wallOffsetNanos.get());
            }
        };
    }
}
