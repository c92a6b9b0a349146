package dev.jlay.atproto.syntax;

import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

/**
 * Hands out strictly increasing TIDs from a microsecond clock and a fixed clock id. If the clock
 * stalls or goes backwards, the microseconds part is bumped by one so revs still always increase.
 * Thread-safe.
 */
public final class TidClock {
    private final LongSupplier microsClock;
    private final int clockId;
    private final AtomicLong lastMicros = new AtomicLong(-1);

    public TidClock(LongSupplier microsClock, int clockId) {
        if (clockId < 0 || clockId > Tid.MAX_CLOCK_ID) {
            throw new IllegalArgumentException("clock id out of range: " + clockId);
        }
        this.microsClock = microsClock;
        this.clockId = clockId;
    }

    /** A clock reading the system time in microseconds. */
    public static TidClock system(int clockId) {
        return new TidClock(TidClock::systemMicros, clockId);
    }

    private static long systemMicros() {
        var now = java.time.Instant.now();
        return now.getEpochSecond() * 1_000_000L + now.getNano() / 1_000;
    }

    public Tid next() {
        long now = microsClock.getAsLong();
        long micros = lastMicros.updateAndGet(last -> Math.max(now, last + 1));
        return Tid.of(micros, clockId);
    }
}
