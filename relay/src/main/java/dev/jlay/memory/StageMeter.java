package dev.jlay.memory;

import dev.jlay.metrics.Histogram;

import java.util.concurrent.atomic.LongAdder;

/**
 * Events, nanoseconds and allocated heap bytes of one stage. The hot path is
 * a window read before and after the work, then {@code record}: three adder
 * increments (time, latency bucket, bytes); no allocation, no lookup.
 *
 * <pre>{@code
 * long t0 = System.nanoTime(), a0 = meter.allocatedNow();
 * ...work...
 * meter.record(events, t0, a0);
 * }</pre>
 *
 * Windows that follow each other on one thread chain: the end reading of one is the start of the
 * next ({@link #record(long, long, long, long, long)}), one clock and one counter read per boundary.
 *
 * <p>Nothing is counted twice: the event count is the latency histogram's count, and the
 * histogram's sum is {@link #nanos()} (plus, for batches, the time every further event of the
 * batch spent), so neither has an adder of its own.
 *
 * Bytes are exact on platform threads. On virtual threads the per-thread
 * counter is -1: the events and time still count, the bytes do not, and
 * {@link #unmeteredEvents()} says how many events went without a byte figure.
 *
 * <p>A disabled meter ({@code memory.stage-meters: false}, only for measuring what the meters
 * cost) records nothing and reads no counter: {@link #allocatedNow()} answers -1 without
 * asking the JVM, so callers that take the window's start from the meter (never from
 * {@link ThreadAllocation} directly) cost one branch per window.
 */
public final class StageMeter {
    private final Stage stage;
    private final LongAdder nanos = new LongAdder();
    /** (count − 1) × time of each batch: with {@link #nanos} the latency sum, where a batch counts once per event. */
    private final LongAdder batchNanos = new LongAdder();
    private final LongAdder allocatedBytes = new LongAdder();
    private final LongAdder unmeteredEvents = new LongAdder();
    private final LongAdder sampledBytes = new LongAdder();
    private final Histogram latency;
    private final boolean enabled;
    private final AllocationCounter counter;

    public StageMeter(Stage stage, double[] latencyBounds, boolean enabled, AllocationCounter counter) {
        this.stage = stage;
        this.latency = new Histogram(latencyBounds, () -> nanos.sum() + batchNanos.sum());
        this.enabled = enabled;
        this.counter = counter;
    }

    /**
     * The current thread's allocation counter, the start of a window for {@link #record}; -1 on a
     * virtual thread, and -1 without reading anything when the meter is off.
     */
    public long allocatedNow() {
        return enabled ? counter.currentThreadBytes() : -1;
    }

    /** False with {@code memory.stage-meters: false}: nothing is read or recorded. */
    public boolean enabled() {
        return enabled;
    }

    public Stage stage() {
        return stage;
    }

    /** Records {@code count} events that started at {@code startNanos} with the thread's counter at {@code startAllocated}. */
    public void record(long count, long startNanos, long startAllocated) {
        if (!enabled) return;
        long endNanos = System.nanoTime();
        long endAllocated = startAllocated >= 0 ? counter.currentThreadBytes() : -1;
        record(count, startNanos, startAllocated, endNanos, endAllocated);
    }

    /**
     * Records {@code count} events of the window from ({@code startNanos}, {@code startAllocated})
     * to ({@code endNanos}, {@code endAllocated}), both read by the caller on the thread that did
     * the work ({@link #allocatedNow()} for the counter), so that a chain of windows reads the
     * clock and the counter once per boundary. An allocation reading of -1 at either end counts
     * the events as unmetered. A window of no events ({@code count} 0: more work for events counted
     * already) adds its time and bytes, and its time to the latency sum of those events.
     */
    public void record(long count, long startNanos, long startAllocated, long endNanos, long endAllocated) {
        if (!enabled) return;
        long elapsed = endNanos - startNanos;
        nanos.add(elapsed);
        if (count > 1) {
            batchNanos.add((count - 1) * elapsed); // a batch: every event in it spent that long here
        }
        if (count > 0) {
            latency.countNanos(elapsed, count);
        }
        if (startAllocated >= 0 && endAllocated >= startAllocated) {
            allocatedBytes.add(endAllocated - startAllocated);
        } else {
            unmeteredEvents.add(count);
        }
    }

    /** Adds figures measured elsewhere (e.g. summed by a worker). */
    public void add(long count, long nanos, long allocated) {
        if (!enabled) return;
        this.nanos.add(nanos);
        if (count > 0) {
            latency.countNanos(nanos / count, count); // only the sum is known: each event at the mean
        }
        if (allocated >= 0) {
            allocatedBytes.add(allocated);
        } else {
            unmeteredEvents.add(count);
        }
    }

    /**
     * Heap bytes of this stage's work on virtual threads, estimated from JFR allocation samples
     * ({@link JfrMonitor}): virtual threads have no exact counter. Counted into
     * {@link #allocatedBytes()} (so the stages and {@code unattributed} still add up to the
     * process's allocation) and kept apart in {@link #sampledBytes()}.
     */
    public void addSampledBytes(long bytes) {
        if (!enabled || bytes <= 0) return;
        allocatedBytes.add(bytes);
        sampledBytes.add(bytes);
    }

    /** The part of {@link #allocatedBytes()} estimated from JFR samples (virtual-thread work). */
    public long sampledBytes() {
        return sampledBytes.sum();
    }

    /** Per-event time in the stage ({@code relay_stage_latency_seconds{stage}}). */
    public Histogram latency() {
        return latency;
    }

    /** Events through the stage: the latency histogram's count (every event is observed there once). */
    public long events() {
        return latency.count();
    }

    public long nanos() {
        return nanos.sum();
    }

    public long allocatedBytes() {
        return allocatedBytes.sum();
    }

    public long unmeteredEvents() {
        return unmeteredEvents.sum();
    }
}
