package dev.jlay.downstream;

import dev.jlay.eventlog.LogEvent;
import dev.jlay.memory.BoundedBuffer;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The events consumers behind the ring hold while they send a batch read from the log: one
 * batch per replaying consumer, so bounded by consumers × batch size; exported so an operator
 * sees what a crowd of replaying consumers costs.
 */
final class ReplayBatches implements BoundedBuffer {
    /** A LogEvent decoded from RocksDB: the record, the frame's array header, the DID string. */
    private static final long EVENT_OVERHEAD = 48 + 16 + 72;

    private final long capacity;
    private final AtomicLong events = new AtomicLong();
    private final AtomicLong bytes = new AtomicLong();

    ReplayBatches(long capacity) {
        this.capacity = capacity;
    }

    /** Counts a batch as held; returns its byte estimate for {@link #release}. */
    long hold(List<LogEvent> batch) {
        long b = 0;
        for (var e : batch) {
            b += e.frame().length + EVENT_OVERHEAD;
        }
        events.addAndGet(batch.size());
        bytes.addAndGet(b);
        return b;
    }

    void release(int count, long byteEstimate) {
        events.addAndGet(-count);
        bytes.addAndGet(-byteEstimate);
    }

    @Override
    public String bufferName() {
        return "consumer_replay_batches";
    }

    @Override
    public long entries() {
        return events.get();
    }

    @Override
    public long capacity() {
        return capacity;
    }

    @Override
    public long bytes() {
        return bytes.get();
    }
}
