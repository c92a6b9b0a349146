package dev.jlay.sim;

import org.HdrHistogram.Histogram;

/**
 * Latencies in microseconds, held by HdrHistogram to three significant digits (0.1 %) whatever
 * their range, in memory that grows with the range rather than with the number of frames; the
 * exact maximum is kept apart. Thread-safe.
 */
public final class LatencyHistogram {
    /** Auto-resizing: a stalled frame minutes late is still recorded, not clipped. */
    private final Histogram micros = new Histogram(3);
    private long maxMicros;

    public synchronized void record(long micros) {
        long v = Math.max(0, micros);
        this.micros.recordValue(v);
        maxMicros = Math.max(maxMicros, v);
    }

    public synchronized long count() {
        return micros.getTotalCount();
    }

    /**
     * The q-quantile (0..1) in milliseconds: the highest value equivalent (within the histogram's
     * precision) to the recorded value at that rank, never above the maximum; 0 when empty.
     */
    public synchronized double quantileMillis(double q) {
        if (micros.getTotalCount() == 0) return 0;
        long v = micros.getValueAtPercentile(Math.clamp(q, 0.0, 1.0) * 100.0);
        return Math.min(v, maxMicros) / 1000.0;
    }

    public synchronized double maxMillis() {
        return maxMicros / 1000.0;
    }
}
