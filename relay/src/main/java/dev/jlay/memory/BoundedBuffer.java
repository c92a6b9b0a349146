package dev.jlay.memory;

import dev.jlay.metrics.MetricRegistry;

/**
 * Anything that holds traffic-driven data under a bound (queue, cache, ring,
 * parking lot). Registered with {@link MetricRegistry#register(BoundedBuffer)}, it
 * exports {@code relay_buffer_entries}, {@code relay_buffer_capacity} and
 * {@code relay_buffer_bytes} with label {@code buffer=name()}, and
 * {@code relay_buffer_capacity_bytes} for a structure bounded in bytes too. The
 * methods are read at scrape time, so they must be cheap and thread safe.
 */
public interface BoundedBuffer {
    /** Label value: short snake_case, fixed per structure (never per DID or host). */
    String bufferName();

    long entries();

    long capacity();

    /** Estimated heap (or native) bytes held. */
    long bytes();

    /**
     * The byte bound, for a structure whose entries vary in size and that is bounded in bytes as
     * well as entries; 0 when only the entry count is bounded (fixed-size entries).
     */
    default long byteCapacity() {
        return 0;
    }
}
