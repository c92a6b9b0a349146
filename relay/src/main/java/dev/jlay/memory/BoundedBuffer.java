package dev.jlay.memory;

import dev.jlay.metrics.MetricRegistry;
import java.util.function.LongSupplier;

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

    /**
     * A buffer whose figures are read from the owner at scrape time, for owners that export a
     * structure they hold rather than being one.
     */
    static BoundedBuffer of(String name, LongSupplier entries, LongSupplier capacity, LongSupplier bytes) {
        return new SuppliedBuffer(name, entries, capacity, bytes, () -> 0);
    }

    /** As {@link #of}, for a structure bounded in bytes as well as entries. */
    static BoundedBuffer of(String name, LongSupplier entries, LongSupplier capacity, LongSupplier bytes,
                            LongSupplier byteCapacity) {
        return new SuppliedBuffer(name, entries, capacity, bytes, byteCapacity);
    }

    /** As {@link #of}, with a fixed capacity and bytes estimated as a fixed size per entry. */
    static BoundedBuffer perEntry(String name, LongSupplier entries, long capacity, long bytesPerEntry) {
        return of(name, entries, () -> capacity, () -> entries.getAsLong() * bytesPerEntry);
    }
}
