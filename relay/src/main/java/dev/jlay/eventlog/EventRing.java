package dev.jlay.eventlog;

import dev.jlay.memory.BoundedBuffer;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The most recent durable events in memory, bounded by count and bytes, so
 * consumers near the head never touch RocksDB. One writer (the sequencer)
 * {@link #add}s in seq order and {@link #publish}es after the batch is durable;
 * any number of readers {@link #event} by seq without locks. An entry is the
 * sequencer's own {@link LogEvent} (frame, kind, DID), so a reader can filter
 * (takedowns) without decoding and the ring allocates nothing per event. An
 * event that has been overwritten or evicted reads as null, and the reader goes
 * to the log.
 */
public final class EventRing implements BoundedBuffer {
    /** The LogEvent record and the frame's array header; the DID string is counted on its own. */
    private static final int ENTRY_OVERHEAD = 64;
    private static final int STRING_OVERHEAD = 40;
    /** The Origin record; its host string is the connection's own, shared by all its events. */
    private static final int ORIGIN_OVERHEAD = 24;

    private final LogEvent[] slots;
    private final int mask;
    private final long maxBytes;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition published = lock.newCondition();
    private final AtomicInteger waiters = new AtomicInteger();
    /** Readers parked in {@link #awaitAfter(long, Waiter)}: a lock-free stack of their own nodes. */
    private final AtomicReference<Waiter> parked = new AtomicReference<>();
    /** Highest seq readers may see. */
    private volatile long head;
    /** Lowest seq that may still be in the ring. */
    private volatile long tail;
    private volatile long bytes;
    private long written;

    /** @param lastDurableSeq the log's last seq at open (the ring starts empty after it) */
    public EventRing(int capacity, long maxBytes, long lastDurableSeq) {
        int size = Integer.highestOneBit(Math.max(2, capacity - 1)) << 1;
        this.slots = new LogEvent[size];
        this.mask = size - 1;
        this.maxBytes = maxBytes;
        this.head = lastDurableSeq;
        this.tail = lastDurableSeq + 1;
        this.written = lastDurableSeq;
    }

    /** Writer only: stage a durable frame with no kind or DID (tests); invisible until {@link #publish()}. */
    public void add(long seq, byte[] frame) {
        add(new LogEvent(seq, EventKind.OTHER, null, 0, 0, frame));
    }

    /** Writer only: stage a durable event; invisible until {@link #publish()}. */
    public void add(LogEvent event) {
        long seq = event.seq();
        if (seq != written + 1) {
            throw new IllegalArgumentException("ring expects seq " + (written + 1) + ", got " + seq);
        }
        int i = (int) (seq & mask);
        var old = slots[i];
        long b = bytes + size(event);
        if (old != null) {
            b -= size(old);
            tail = Math.max(tail, old.seq() + 1);
        }
        slots[i] = event;
        written = seq;
        // evict from the old end while over the byte bound (always keep the newest)
        long t = tail;
        while (b > maxBytes && t < seq) {
            int j = (int) (t & mask);
            var e = slots[j];
            if (e != null && e.seq() == t) {
                b -= size(e);
                slots[j] = null;
            }
            t++;
        }
        tail = t;
        bytes = b;
    }

    private static long size(LogEvent e) {
        var did = e.did();
        return e.frame().length + ENTRY_OVERHEAD + (did == null ? 0 : STRING_OVERHEAD + did.length())
                + (e.origin().known() ? ORIGIN_OVERHEAD : 0);
    }

    /** Writer only: makes everything added so far visible and wakes waiting readers. */
    public void publish() {
        head = written;
        if (parked.get() != null) {
            wakeParked();
        }
        if (waiters.get() > 0) {
            lock.lock();
            try {
                published.signalAll();
            } finally {
                lock.unlock();
            }
        }
    }

    /** The highest published seq. */
    public long head() {
        return head;
    }

    /** The frame with this seq, or null when it is not (or no longer) in the ring. */
    public byte[] get(long seq) {
        var e = event(seq);
        return e == null ? null : e.frame();
    }

    /** The event with this seq, or null when it is not (or no longer) in the ring. */
    public LogEvent event(long seq) {
        if (seq > head || seq < tail) {
            return null;
        }
        var e = slots[(int) (seq & mask)];
        return e != null && e.seq() == seq ? e : null;
    }

    /** Waits until {@code head() > seq}; false on timeout. */
    public boolean awaitAfter(long seq, long timeout, TimeUnit unit) throws InterruptedException {
        if (head > seq) {
            return true;
        }
        long nanos = unit.toNanos(timeout);
        waiters.incrementAndGet();
        lock.lock();
        try {
            while (head <= seq) {
                if (nanos <= 0) {
                    return false;
                }
                nanos = published.awaitNanos(nanos);
            }
            return true;
        } finally {
            lock.unlock();
            waiters.decrementAndGet();
        }
    }

    /**
     * A reader's own, reused place in the ring's wait list. Waiting on a {@link Condition} cost every
     * consumer a node per wait and a timer per timed park, 100-odd bytes per frame per consumer on the
     * live tail; a parked reader here costs the wake-up alone.
     */
    public static final class Waiter {
        private final Thread thread;
        /** In the stack: set by the reader before it pushes, cleared by the publisher after it took it off. */
        private volatile boolean queued;
        private Waiter next;

        /** @param thread the reader that will wait with it (and only it) */
        public Waiter(Thread thread) {
            this.thread = thread;
        }
    }

    /**
     * Parks the calling reader (its {@code waiter}'s thread) until a publish after {@code seq}, an
     * unpark of the thread (e.g. to ping), or an interrupt; returns at once when {@code head() > seq}.
     * It may return early: callers loop on {@link #head()}. Untimed, so a virtual thread's park
     * schedules no timer; whoever needs it awake at a time unparks it.
     */
    public void awaitAfter(long seq, Waiter waiter) throws InterruptedException {
        if (head > seq) {
            return;
        }
        if (!waiter.queued) {
            waiter.queued = true;
            Waiter top;
            do {
                top = parked.get();
                waiter.next = top;
            } while (!parked.compareAndSet(top, waiter));
        }
        // a publish between the first check and the push may have drained the stack without us
        if (head > seq) {
            return;
        }
        LockSupport.park(this);
        if (Thread.interrupted()) {
            throw new InterruptedException();
        }
    }

    private void wakeParked() {
        var w = parked.getAndSet(null);
        while (w != null) {
            var next = w.next;
            w.next = null;
            w.queued = false; // after this the reader may push it again; next was read before
            LockSupport.unpark(w.thread);
            w = next;
        }
    }

    @Override
    public String bufferName() {
        return "event_ring";
    }

    @Override
    public long entries() {
        return Math.max(0, head - tail + 1);
    }

    @Override
    public long capacity() {
        return slots.length;
    }

    @Override
    public long bytes() {
        return bytes + (long) slots.length * 8;
    }
}
