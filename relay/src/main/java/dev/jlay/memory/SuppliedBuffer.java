package dev.jlay.memory;

import java.util.function.LongSupplier;

/**
 * {@link BoundedBuffer#of}: a class, not a record, so that two buffers are equal only when they are
 * the same object, as {@link dev.jlay.metrics.MetricRegistry#unregister} expects.
 */
final class SuppliedBuffer implements BoundedBuffer {
    private final String name;
    private final LongSupplier entries;
    private final LongSupplier capacity;
    private final LongSupplier bytes;
    private final LongSupplier byteCapacity;

    SuppliedBuffer(String name, LongSupplier entries, LongSupplier capacity, LongSupplier bytes,
                   LongSupplier byteCapacity) {
        this.name = name;
        this.entries = entries;
        this.capacity = capacity;
        this.bytes = bytes;
        this.byteCapacity = byteCapacity;
    }

    @Override
    public String bufferName() {
        return name;
    }

    @Override
    public long entries() {
        return entries.getAsLong();
    }

    @Override
    public long capacity() {
        return capacity.getAsLong();
    }

    @Override
    public long bytes() {
        return bytes.getAsLong();
    }

    @Override
    public long byteCapacity() {
        return byteCapacity.getAsLong();
    }
}
