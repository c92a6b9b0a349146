package dev.jlay.upstream;

import java.time.Duration;
import java.util.random.RandomGenerator;

/**
 * Capped exponential backoff with jitter: attempt n waits {@code min(max, initial * 2^n)}, less a
 * random share of up to {@code jitter} (0..1) of it, so hosts that went down together do not all
 * come back in the same second. Hosts are never given up on.
 */
public record BackoffPolicy(Duration initial, Duration max, double jitter) {
    public BackoffPolicy {
        if (initial.isNegative() || initial.isZero() || max.compareTo(initial) < 0 || jitter < 0 || jitter > 1) {
            throw new IllegalArgumentException("need 0 < initial <= max and 0 <= jitter <= 1");
        }
    }

    public static BackoffPolicy defaults() {
        return new BackoffPolicy(Duration.ofSeconds(1), Duration.ofHours(1), 0.5);
    }

    public Duration delay(int attempt, RandomGenerator random) {
        long initialNanos = initial.toNanos();
        long maxNanos = max.toNanos();
        int shift = Math.min(Math.max(attempt, 0), 62);
        long base = initialNanos > (maxNanos >> shift) ? maxNanos : initialNanos << shift;
        long jitterNanos = (long) (base * jitter * random.nextDouble());
        return Duration.ofNanos(Math.max(1, base - jitterNanos));
    }
}
