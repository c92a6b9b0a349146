package dev.jlay.upstream;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * Events per window, for several windows at once (e.g. per second, hour and day). Each window is
 * the usual two-bucket approximation of a sliding window: the count of the current fixed bucket plus
 * the previous bucket's count weighted by how much of it still overlaps the sliding window. O(1)
 * memory per window, whatever the rate.
 */
public final class SlidingWindowRateLimiter implements RateLimiter {
    /** At most {@code limit} events in any {@code window}. */
    public record Limit(long limit, Duration window) {
        public Limit {
            if (limit <= 0 || window.isNegative() || window.isZero()) {
                throw new IllegalArgumentException("limit and window must be positive");
            }
        }
    }

    private final Window[] windows;
    private final LongSupplier nanoClock;

    public SlidingWindowRateLimiter(List<Limit> limits) {
        this(limits, System::nanoTime);
    }

    SlidingWindowRateLimiter(List<Limit> limits, LongSupplier nanoClock) {
        this.nanoClock = nanoClock;
        this.windows = limits.stream().map(l -> new Window(l.limit(), l.window().toNanos())).toArray(Window[]::new);
    }

    public static SlidingWindowRateLimiter perSecondHourDay(long second, long hour, long day) {
        return new SlidingWindowRateLimiter(List.of(
                new Limit(second, Duration.ofSeconds(1)),
                new Limit(hour, Duration.ofHours(1)),
                new Limit(day, Duration.ofDays(1))));
    }

    @Override
    public void acquire() throws InterruptedException {
        while (true) {
            long wait = tryTake();
            if (wait == 0) {
                return;
            }
            TimeUnit.NANOSECONDS.sleep(Math.max(wait, 1_000_000));
        }
    }

    @Override
    public synchronized boolean wouldWait() {
        long now = nanoClock.getAsLong();
        for (Window w : windows) {
            if (w.waitNanos(now) > 0) {
                return true;
            }
        }
        return false;
    }

    /** Takes a permit and returns 0, or returns how long to wait before trying again. */
    synchronized long tryTake() {
        long now = nanoClock.getAsLong();
        long wait = 0;
        for (Window w : windows) {
            wait = Math.max(wait, w.waitNanos(now));
        }
        if (wait == 0) {
            for (Window w : windows) {
                w.current++;
            }
        }
        return wait;
    }

    private static final class Window {
        final long limit;
        final long size;
        long bucketStart = Long.MIN_VALUE;
        long current;
        long previous;

        Window(long limit, long size) {
            this.limit = limit;
            this.size = size;
        }

        long waitNanos(long now) {
            roll(now);
            long intoBucket = now - bucketStart;
            double prevWeight = (double) (size - intoBucket) / size;
            double estimate = previous * prevWeight + current;
            if (estimate + 1 <= limit) {
                return 0;
            }
            if (current + 1 > limit) {
                return size - intoBucket; // the current bucket alone is full: wait for the next one
            }
            // wait until the previous bucket's weight has dropped enough for one more event
            double needWeight = (limit - 1 - current) / (double) Math.max(previous, 1);
            long waitUntil = (long) ((1 - needWeight) * size);
            return Math.max(1, waitUntil - intoBucket);
        }

        private void roll(long now) {
            if (bucketStart == Long.MIN_VALUE) {
                bucketStart = now;
                return;
            }
            long elapsed = now - bucketStart;
            if (elapsed < size) {
                return;
            }
            long buckets = elapsed / size;
            previous = buckets == 1 ? current : 0;
            current = 0;
            bucketStart += buckets * size;
        }
    }
}
