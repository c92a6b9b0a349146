package dev.jlay.memory;

import java.util.concurrent.atomic.LongAdder;

/**
 * Events, nanoseconds and allocated heap bytes of one stage. The hot path is
 * {@code start} → work → {@code stop}: two primitive reads before, three adder
 * increments after; no allocation, no lookup.
 *
 * <pre>{@code
 * long t0 = System.nanoTime(), a0 = meter.allocatedNow();
 * ...work...
 * meter.record(events, t0, a0);
 * }</pre>
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
    private final LongAdder events = new LongAdder();
    private final LongAdder nanos = new LongAdder();
    private final LongAdder allocatedBytes = new LongAdder();
    private final LongAdder unmeteredEvents = new LongAdder();
    private final LongAdder sampledBytes = new LongAdder();
    private final Histogram latency;
    private final boolean enabled;
    private final AllocationCounter counter;

    StageMeter(Stage stage, Histogram latency, boolean enabled, AllocationCounter counter) {
        this.stage = stage;
        this.latency = latency;
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
        long end = System.nanoTime();
        events.add(count);
        nanos.add(end - startNanos);
        latency.observeNanos(end - startNanos, count); // a batch: every event in it spent that long here
        if (startAllocated >= 0) {
            long now = counter.currentThreadBytes();
            if (now >= startAllocated) {
                allocatedBytes.add(now - startAllocated);
                return;
            }
        }
        unmeteredEvents.add(count);
    }

    /** Adds figures measured elsewhere (e.g. summed by a worker). */
    public void add(long count, long nanos, long allocated) {
        if (!enabled) return;
        events.add(count);
        this.nanos.add(nanos);
        if (count > 0) {
            latency.observeNanos(nanos / count, count); // only the sum is known: each event at the mean
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

    public long events() {
        return events.sum();
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
