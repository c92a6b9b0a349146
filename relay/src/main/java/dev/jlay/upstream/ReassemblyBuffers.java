package dev.jlay.upstream;

import dev.jlay.memory.BoundedBuffer;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The partial messages the host readers hold while a fragmented WebSocket message comes in: one
 * buffer per host at most, each at most the frame cap, and all of them together at most a
 * relay-wide budget. Bytes are the buffers' allocated length (what the heap holds), not the bytes
 * filled so far. A reader whose buffer would pass the budget is refused ({@link #tryResize}) and
 * ends its connection: it lets go of what it held and reads the message again from its cursor
 * after a backoff, so readers never wait on each other (a wait could deadlock, every reader
 * holding half a message).
 */
public final class ReassemblyBuffers implements BoundedBuffer {
    private final AtomicLong bytes = new AtomicLong();
    private final AtomicInteger held = new AtomicInteger();
    private final AtomicLong refused = new AtomicLong();
    private final AtomicLong wholeBytes = new AtomicLong();
    private final AtomicInteger wholeMessages = new AtomicInteger();
    private final long hosts;
    private final long maxFrameBytes;
    private final long byteCapacity;

    /** Bounded by hosts × frame cap only (a single reader, tests). */
    public ReassemblyBuffers(int maxHosts, int maxFrameBytes) {
        this(maxHosts, maxFrameBytes, (long) maxHosts * maxFrameBytes);
    }

    /** @param budgetBytes all readers' partial messages together; at most hosts × frame cap is used */
    public ReassemblyBuffers(int maxHosts, int maxFrameBytes, long budgetBytes) {
        if (budgetBytes < maxFrameBytes) {
            throw new IllegalArgumentException("the reassembly budget must hold one whole frame");
        }
        this.hosts = maxHosts;
        this.maxFrameBytes = maxFrameBytes;
        this.byteCapacity = Math.min((long) maxHosts * maxFrameBytes, budgetBytes);
    }

    /**
     * A reader's buffer would go from {@code oldLength} bytes (0: none) to {@code newLength} (0: let
     * go); false, and nothing changed, when growing it would pass the budget.
     */
    boolean tryResize(int oldLength, int newLength) {
        long delta = (long) newLength - oldLength;
        if (delta > 0) {
            long now;
            do {
                now = bytes.get();
                if (now + delta > byteCapacity) {
                    refused.incrementAndGet();
                    return false;
                }
            } while (!bytes.compareAndSet(now, now + delta));
        } else {
            bytes.addAndGet(delta);
        }
        if (oldLength == 0 && newLength > 0) held.incrementAndGet();
        if (oldLength > 0 && newLength == 0) held.decrementAndGet();
        return true;
    }

    /**
     * A complete message of {@code bytes} now exists for a reader: from the moment it is joined (or
     * arrives whole) until the sink took it or it was dropped ({@link #releaseWhole}). At most one
     * per reader, since the next is requested only after it, so bounded by hosts x frame cap; the
     * partial-message budget does not take them (a reader refused there would end its connection
     * over a message that is already whole).
     */
    void holdWhole(int bytes) {
        wholeBytes.addAndGet(bytes);
        wholeMessages.incrementAndGet();
    }

    void releaseWhole(int bytes) {
        wholeBytes.addAndGet(-bytes);
        wholeMessages.decrementAndGet();
    }

    /** The complete messages readers hold between reassembly and the pipeline ({@code upstream_whole_messages}). */
    public BoundedBuffer wholeMessages() {
        return BoundedBuffer.of("upstream_whole_messages", () -> Math.max(0, wholeMessages.get()), () -> hosts,
                () -> Math.max(0, wholeBytes.get()), () -> hosts * maxFrameBytes);
    }

    /** Growths refused because the budget was spent (each ended a connection). */
    public long refusals() {
        return refused.get();
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
