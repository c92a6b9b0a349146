package dev.jlay.upstream;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Spreads the relay's connection attempts over time: each attempt takes the next free slot, one
 * every {@code 1/rate} seconds, and waits for it. 10,000 hosts that drop together (the relay's own
 * network blinked, or it just started) then reconnect over 50 s at 200 a second instead of in one
 * storm of handshakes, which would time out on each other and back off together again. O(1): one
 * counter, no queue, no polling.
 */
public final class ConnectPacer {
    private final long gapNanos;
    private final AtomicLong next = new AtomicLong(Long.MIN_VALUE);

    /** @param perSecond attempts per second over all hosts; 0 = no pacing */
    public ConnectPacer(int perSecond) {
        this.gapNanos = perSecond <= 0 ? 0 : TimeUnit.SECONDS.toNanos(1) / perSecond;
    }

    /** Waits for this attempt's slot (at once if the last slot is past). */
    public void await() throws InterruptedException {
        long wait = reserve(System.nanoTime());
        if (wait > 0) TimeUnit.NANOSECONDS.sleep(wait);
    }

    /** Takes the next slot at or after {@code now}; returns how long until it. */
    long reserve(long now) {
        if (gapNanos == 0) return 0;
        long prev = next.getAndAccumulate(now, (p, n) -> (p == Long.MIN_VALUE || p - n < 0 ? n : p) + gapNanos);
        long slot = prev == Long.MIN_VALUE || prev - now < 0 ? now : prev;
        return slot - now;
    }
}
