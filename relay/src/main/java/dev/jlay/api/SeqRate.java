package dev.jlay.api;

import java.util.ArrayDeque;
import java.util.OptionalDouble;

/**
 * Events per second from samples of the last seq taken when the status page is viewed: the rate
 * over the last minute of samples (at least one second apart from the newest). Bounded: at most
 * {@link #MAX_SAMPLES} samples are kept.
 */
final class SeqRate {
    static final int MAX_SAMPLES = 64;
    private static final long WINDOW_NANOS = 60_000_000_000L;
    private static final long MIN_SPAN_NANOS = 1_000_000_000L;

    private record Sample(long nanos, long seq) {}

    private final ArrayDeque<Sample> samples = new ArrayDeque<>();

    /** Records (now, seq) and returns the rate since the oldest usable sample, if there is one. */
    synchronized OptionalDouble sample(long nanos, long seq) {
        while (!samples.isEmpty() && nanos - samples.peekFirst().nanos() > WINDOW_NANOS) samples.pollFirst();
        OptionalDouble rate = OptionalDouble.empty();
        var oldest = samples.peekFirst();
        if (oldest != null && nanos - oldest.nanos() >= MIN_SPAN_NANOS) {
            rate = OptionalDouble.of((seq - oldest.seq()) * 1e9 / (nanos - oldest.nanos()));
        }
        var newest = samples.peekLast();
        // views less than a second apart add nothing: keep the older sample for a longer span
        if (newest == null || nanos - newest.nanos() >= MIN_SPAN_NANOS) {
            if (samples.size() == MAX_SAMPLES) samples.pollFirst();
            samples.addLast(new Sample(nanos, seq));
        }
        return rate;
    }

    synchronized int size() {
        return samples.size();
    }
}
