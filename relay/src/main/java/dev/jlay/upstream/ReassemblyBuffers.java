package dev.jlay.upstream;

import dev.jlay.memory.BoundedBuffer;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The partial messages the host readers hold while a fragmented WebSocket message comes in: one
 * buffer per host at most, each at most the frame cap. Bytes are the buffers' allocated length (what
 * the heap holds), not the bytes filled so far.
 */
public final class ReassemblyBuffers implements BoundedBuffer {
    private final AtomicLong bytes = new AtomicLong();
    private final AtomicInteger held = new AtomicInteger();
    private final long hosts;
    private final long byteCapacity;

    public ReassemblyBuffers(int maxHosts, int maxFrameBytes) {
        this.hosts = maxHosts;
        this.byteCapacity = (long) maxHosts * maxFrameBytes;
    }

    /** A reader's buffer went from {@code oldLength} bytes (0: none) to {@code newLength} (0: let go). */
    void resized(int oldLength, int newLength) {
        if (oldLength == 0 && newLength > 0) held.incrementAndGet();
        if (oldLength > 0 && newLength == 0) held.decrementAndGet();
        bytes.addAndGet(newLength - oldLength);
    }

    @Override
    public String bufferName() {
        return "upstream_reassembly";
    }

    @Override
    public long entries() {
        return held.get();
    }

    @Override
    public long capacity() {
        return hosts;
    }

    @Override
    public long bytes() {
        return bytes.get();
    }

    @Override
    public long byteCapacity() {
        return byteCapacity;
    }
}
