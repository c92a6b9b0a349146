package dev.jlay.metrics;


import java.util.Arrays;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.LongSupplier;

/**
 * A Prometheus histogram series with fixed bucket bounds: one adder per bucket,
 * so an observation is a short scan and one increment, no allocation, no lock.
 * Rendered cumulatively ({@code _bucket{le}}, {@code _sum}, {@code _count}) by {@link MetricRegistry}.
 * The unit is seconds; the sum is kept in whole nanoseconds (a {@link LongAdder} is cheaper than
 * a {@code DoubleAdder} and exact). A {@link StageMeter} keeps its histogram's sum itself (it
 * sums the nanoseconds anyway), so an observation there is one bucket increment and nothing else.
 */
public final class Histogram {
    /** Latency buckets from 10 µs to 10 s (1-2.5-5 steps), in seconds. */
    public static final double[] LATENCY_SECONDS = {
        1e-5, 2.5e-5, 5e-5, 1e-4, 2.5e-4, 5e-4, 1e-3, 2.5e-3, 5e-3,
        0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10};

    private final double[] bounds;
    private final long[] boundsNanos;
    private final LongAdder[] buckets; // bounds.length + 1 (the last is +Inf); not cumulative
    private final LongAdder sumNanos = new LongAdder();
    private final LongSupplier ownerSumNanos;

    public Histogram(double[] bounds) {
        this(bounds, () -> 0);
    }

    /** A histogram whose owner keeps (most of) its sum: {@code ownerSumNanos} is added to the observed sum. */
    public Histogram(double[] bounds, LongSupplier ownerSumNanos) {
        this.ownerSumNanos = ownerSumNanos;
        if (bounds.length == 0) {
            throw new IllegalArgumentException("a histogram needs at least one bucket bound");
        }
        for (int i = 1; i < bounds.length; i++) {
            if (!(bounds[i] > bounds[i - 1])) {
                throw new IllegalArgumentException("bucket bounds must increase: " + Arrays.toString(bounds));
            }
        }
        this.bounds = bounds.clone();
        this.boundsNanos = new long[bounds.length];
        for (int i = 0; i < bounds.length; i++) {
            boundsNanos[i] = (long) Math.ceil(bounds[i] * 1e9);
        }
        this.buckets = new LongAdder[bounds.length + 1];
        for (int i = 0; i < buckets.length; i++) {
            buckets[i] = new LongAdder();
        }
    }

    /** Observes a duration in seconds. */
    public void observe(double seconds) {
        int i = 0;
        while (i < bounds.length && seconds > bounds[i]) {
            i++;
        }
        buckets[i].increment();
        sumNanos.add(Math.round(seconds * 1e9));
    }

    /** Observes a duration given in nanoseconds, for a histogram whose unit is seconds. */
    public void observeNanos(long nanos) {
        int i = 0;
        while (i < boundsNanos.length && nanos > boundsNanos[i]) {
            i++;
        }
        buckets[i].increment();
        sumNanos.add(nanos);
    }

    /** Observes {@code count} events that each took {@code nanos} (a batch that went through a stage together). */
    public void observeNanos(long nanos, long count) {
        if (count <= 0) {
            return;
        }
        countNanos(nanos, count);
        sumNanos.add(count * nanos);
    }

    /** Counts {@code count} events of {@code nanos} each into their bucket and leaves the sum to the owner. */
    public void countNanos(long nanos, long count) {
        int i = 0;
        while (i < boundsNanos.length && nanos > boundsNanos[i]) {
            i++;
        }
        buckets[i].add(count);
    }

    double[] bounds() {
        return bounds;
    }

    /** Per-bucket (non-cumulative) counts, the last being above every bound. */
    long[] counts() {
        var out = new long[buckets.length];
        for (int i = 0; i < out.length; i++) {
            out[i] = buckets[i].sum();
        }
        return out;
    }

    public long count() {
        long n = 0;
        for (var b : buckets) {
            n += b.sum();
        }
        return n;
    }

    /** The sum of the observations, in seconds. */
    public double sum() {
        return (sumNanos.sum() + ownerSumNanos.getAsLong()) / 1e9;
    }
}
