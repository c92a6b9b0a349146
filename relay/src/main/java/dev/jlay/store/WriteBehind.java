package dev.jlay.store;

import dev.jlay.memory.BoundedBuffer;

import java.util.List;

/**
 * One stream of batched writes: a {@link PendingWrites} buffer and the statement
 * that writes a batch of it. {@link #flushOnce} is serialized, so two batches of
 * the same key can never commit out of order.
 */
final class WriteBehind<K, V> implements BoundedBuffer {
    /** Writes one batch in one transaction; throws when the database refuses. */
    @FunctionalInterface
    interface BatchSink<V> {
        void write(List<V> batch) throws Exception;
    }

    private final PendingWrites<K, V> pending;
    private final BatchSink<V> sink;
    private final long bytesPerEntry;
    private final Object flushLock = new Object();

    WriteBehind(PendingWrites<K, V> pending, BatchSink<V> sink, long bytesPerEntry) {
        this.pending = pending;
        this.sink = sink;
        this.bytesPerEntry = bytesPerEntry;
    }

    PendingWrites<K, V> pending() {
        return pending;
    }

    String name() {
        return pending.name();
    }

    /** Writes up to {@code maxBatch} entries; returns how many (0 = nothing was waiting). */
    int flushOnce(int maxBatch) throws Exception {
        synchronized (flushLock) {
            var batch = pending.takeBatch(maxBatch);
            if (batch.isEmpty()) {
                return 0;
            }
            try {
                sink.write(batch);
            } catch (Exception | Error e) {
                pending.failed();
                throw e;
            }
            pending.committed();
            return batch.size();
        }
    }

    /** Writes everything waiting. */
    void flushAll(int maxBatch) throws Exception {
        while (flushOnce(maxBatch) > 0) {
            // next batch
        }
    }

    @Override
    public String bufferName() {
        return pending.name();
    }

    @Override
    public long entries() {
        return pending.size();
    }

    @Override
    public long capacity() {
        return pending.capacity();
    }

    @Override
    public long bytes() {
        return entries() * bytesPerEntry;
    }
}
