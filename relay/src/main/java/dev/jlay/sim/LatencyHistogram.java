package dev.jlay.sim;

/**
 * Latencies in 100 µs buckets up to a minute (longer ones land in the last bucket; the exact
 * maximum is kept apart): fixed memory however many frames are measured. Thread-safe.
 */
public final class LatencyHistogram {
    private static final long BUCKET_MICROS = 100;
    private final long[] counts = new long[600_001];
    private long total;
    private long maxMicros;

    public synchronized void record(long micros) {
        long v = Math.max(0, micros);
        counts[(int) Math.min(counts.length - 1, v / BUCKET_MICROS)]++;
        total++;
        maxMicros = Math.max(maxMicros, v);
    }

    public synchronized long count() {
        return total;
    }

    /** The q-quantile (0..1) in milliseconds, as the upper edge of its bucket; 0 when empty. */
    public synchronized double quantileMillis(double q) {
        if (total == 0) return 0;
        long rank = (long) Math.ceil(q * total);
        long seen = 0;
        for (int i = 0; i < counts.length; i++) {
            seen += counts[i];
            if (seen >= Math.max(1, rank)) return Math.min((i + 1) * BUCKET_MICROS, Math.max(maxMicros, 1)) / 1000.0;
        }
        return maxMicros / 1000.0;
    }

    public synchronized double maxMillis() {
        return maxMicros / 1000.0;
    }
}
