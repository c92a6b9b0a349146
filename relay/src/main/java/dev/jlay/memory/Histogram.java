package dev.jlay.memory;

import java.util.Arrays;
import java.util.concurrent.atomic.DoubleAdder;
import java.util.concurrent.atomic.LongAdder;

/**
 * A Prometheus histogram series with fixed bucket bounds: one adder per bucket,
 * so an observation is a short scan and one increment, no allocation, no lock.
 * Rendered cumulatively ({@code _bucket{le}}, {@code _sum}, {@code _count}) by {@link Metrics}.
 */
public final class Histogram {
    /** Latency buckets from 10 µs to 10 s (1-2.5-5 steps), in seconds. */
    public static final double[] LATENCY_SECONDS = {
        1e-5, 2.5e-5, 5e-5, 1e-4, 2.5e-4, 5e-4, 1e-3, 2.5e-3, 5e-3,
        0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10};

    private final double[] bounds;
    private final long[] boundsNanos;
    private final LongAdder[] buckets; // bounds.length + 1 (the last is +Inf); not cumulative
    private final DoubleAdder sum = new DoubleAdder();

    public Histogram(double[] bounds) {
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

    public void observe(double value) {
        int i = 0;
        while (i < bounds.length && value > bounds[i]) {
            i++;
        }
        buckets[i].increment();
        sum.add(value);
    }

    /** Observes a duration given in nanoseconds, for a histogram whose unit is seconds. */
    public void observeNanos(long nanos) {
        int i = 0;
        while (i < boundsNanos.length && nanos > boundsNanos[i]) {
            i++;
        }
        buckets[i].increment();
        sum.add(nanos / 1e9);
    }

    /** Observes {@code count} events that each took {@code nanos} (a batch that went through a stage together). */
    public void observeNanos(long nanos, long count) {
        if (count <= 0) {
            return;
        }
        int i = 0;
        while (i < boundsNanos.length && nanos > boundsNanos[i]) {
            i++;
        }
        buckets[i].add(count);
        sum.add(count * (nanos / 1e9));
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

    public double sum() {
        return sum.sum();
    }
}
