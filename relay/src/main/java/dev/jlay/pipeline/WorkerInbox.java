package dev.jlay.pipeline;

import java.util.ArrayDeque;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A worker's input: a frame queue bounded in entries and in bytes (the reader
 * blocks when either is reached: backpressure) and a small signal queue for
 * finished identity resolutions. A frame larger than the whole byte bound still
 * goes in when the queue is empty; refusing it would block its host forever.
 * Signals go first and never block the resolver's thread; there is at most one
 * outstanding resolution per parked DID, so the parking bound bounds them too.
 */
final class WorkerInbox {

    /** A DID's identity resolution finished. */
    record Resolved(String did, Throwable failure) {}

    private final ReentrantLock lock = new ReentrantLock();
    private final Condition notEmpty = lock.newCondition();
    private final Condition notFull = lock.newCondition();
    private final ArrayDeque<InboundFrame> frames;
    private final ArrayDeque<Resolved> signals = new ArrayDeque<>();
    private final int capacity;
    private final long byteCapacity;
    private long bytes;
    private int inHand; // items taken and not yet done()
    private boolean closed;

    WorkerInbox(int capacity, long byteCapacity) {
        if (capacity < 1 || byteCapacity < 1) throw new IllegalArgumentException("inbox bounds must be positive");
        this.capacity = capacity;
        this.byteCapacity = byteCapacity;
        this.frames = new ArrayDeque<>(Math.min(capacity, 1024));
    }

    /** Guarded by lock. An empty queue always has room, whatever the frame's size. */
    private boolean full(int size) {
        return frames.size() >= capacity || (!frames.isEmpty() && bytes + size > byteCapacity);
    }

    /** Blocks while full (in entries or bytes). False when the inbox is closed. */
    boolean put(InboundFrame frame) throws InterruptedException {
        lock.lockInterruptibly();
        try {
            while (full(frame.size()) && !closed) notFull.await();
            if (closed) return false;
            frames.addLast(frame);
            bytes += frame.size();
            notEmpty.signal();
            // a take wakes one producer; a freed big frame may leave room for more than one small one
            if (frames.size() < capacity && bytes < byteCapacity) notFull.signal();
            return true;
        } finally {
            lock.unlock();
        }
    }

    /** Adds if there is room now; never blocks. False when full or closed. */
    boolean offer(InboundFrame frame) {
        lock.lock();
        try {
            if (closed || full(frame.size())) return false;
            frames.addLast(frame);
            bytes += frame.size();
            notEmpty.signal();
            return true;
        } finally {
            lock.unlock();
        }
    }

    void signal(Resolved r) {
        lock.lock();
        try {
            signals.addLast(r);
            notEmpty.signal();
        } finally {
            lock.unlock();
        }
    }

    /** The next signal or frame, waiting at most {@code timeoutNanos}; null on timeout or when closed and drained. */
    Object take(long timeoutNanos) throws InterruptedException {
        lock.lockInterruptibly();
        try {
            long left = timeoutNanos;
            while (signals.isEmpty() && frames.isEmpty()) {
                if (closed || left <= 0) return null;
                left = notEmpty.awaitNanos(left);
            }
            inHand++;
            if (!signals.isEmpty()) return signals.pollFirst();
            var f = frames.pollFirst();
            bytes -= f.size();
            notFull.signal();
            return f;
        } finally {
            lock.unlock();
        }
    }

    Object take() throws InterruptedException {
        return take(TimeUnit.DAYS.toNanos(1));
    }

    /** The item from the last take() is fully handled. */
    void done() {
        lock.lock();
        try {
            inHand--;
        } finally {
            lock.unlock();
        }
    }

    /** Nothing queued, nothing in hand. */
    boolean quiet() {
        lock.lock();
        try {
            return frames.isEmpty() && signals.isEmpty() && inHand == 0;
        } finally {
            lock.unlock();
        }
    }

    void close() {
        lock.lock();
        try {
            closed = true;
            notEmpty.signalAll();
            notFull.signalAll();
        } finally {
            lock.unlock();
        }
    }

    boolean isClosed() {
        lock.lock();
        try {
            return closed;
        } finally {
            lock.unlock();
        }
    }

    int size() {
        lock.lock();
        try {
            return frames.size();
        } finally {
            lock.unlock();
        }
    }

    long bytes() {
        lock.lock();
        try {
            return bytes;
        } finally {
            lock.unlock();
        }
    }

    int capacity() {
        return capacity;
    }

    long byteCapacity() {
        return byteCapacity;
    }
}
