package dev.jlay.sim;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.LongFunction;

/**
 * A host's recent events for cursor replay, bounded in count and in bytes. Seqs are
 * contiguous from 1. Subscribers read by their own position (the last seq they
 * sent), so live tail and replay are one path.
 *
 * <p>When {@code lossless}, {@link #append} waits rather than evict an event a live
 * subscriber has not sent yet: the host then runs no faster than its slowest
 * subscriber (what a measurement wants). A subscriber that goes away holds its place for
 * {@link #REJOIN_GRACE_NANOS} or until someone subscribes again, so a reader that reconnects
 * resumes where it was rather than behind a history the host ran ahead with while it was
 * gone. Otherwise the oldest events go and a subscriber that fell behind is told so
 * ({@link Batch#outdated()}).
 */
public final class EventHistory {

    /** @param maxEvents events kept at most; @param maxBytes frame bytes kept at most (one larger frame is still kept) */
    public record Limits(int maxEvents, long maxBytes) {
        public Limits {
            if (maxEvents < 1 || maxBytes < 1) throw new IllegalArgumentException("history limits must be positive");
        }

        public static final Limits DEFAULT = new Limits(100_000, 64L << 20);
    }

    /** Frames with seqs {@code firstSeq..}; {@code outdated} when events after the asked position were evicted. */
    public record Batch(long firstSeq, List<byte[]> frames, boolean outdated) {
        public long lastSeq() {
            return firstSeq + frames.size() - 1;
        }
    }

    /** A reader's position: the last seq it has sent. */
    public static final class Subscriber {
        volatile long position;

        Subscriber(long position) {
            this.position = position;
        }

        public long position() {
            return position;
        }
    }

    private final Limits limits;
    private final boolean lossless;
    private final long rejoinGraceNanos;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition appended = lock.newCondition();
    private final Condition advanced = lock.newCondition();
    private final ArrayDeque<byte[]> frames = new ArrayDeque<>();
    private final Set<Subscriber> subscribers = ConcurrentHashMap.newKeySet();
    /** Lossless only: the places of subscribers that left, each until its deadline (nanoTime). */
    private final Map<Subscriber, Long> departed = new ConcurrentHashMap<>();
    static final long REJOIN_GRACE_NANOS = TimeUnit.SECONDS.toNanos(30);
    private long firstSeq = 1;
    private long bytes;
    private long evicted;
    private boolean closed;

    public EventHistory(Limits limits, boolean lossless) {
        this(limits, lossless, REJOIN_GRACE_NANOS);
    }

    EventHistory(Limits limits, boolean lossless, long rejoinGraceNanos) {
        this.limits = limits;
        this.lossless = lossless;
        this.rejoinGraceNanos = rejoinGraceNanos;
    }

    public Limits limits() {
        return limits;
    }

    /**
     * Appends the frame {@code make} builds for the next seq and returns that seq, or -1 if the
     * history was closed while waiting for room.
     */
    public long append(LongFunction<byte[]> make) throws InterruptedException {
        lock.lockInterruptibly();
        try {
            long seq = firstSeq + frames.size();
            byte[] frame = make.apply(seq);
            // one event at a time: a large frame can need several evicted (the byte bound), and
            // each of them, not only the oldest, must be sent first when lossless
            while (mustEvict(frame.length)) {
                while (!closed && lossless && oldestIsUnread()) {
                    advanced.await(200, TimeUnit.MILLISECONDS);
                }
                if (closed) return -1;
                bytes -= frames.removeFirst().length;
                firstSeq++;
                evicted++;
            }
            if (closed) return -1;
            frames.addLast(frame);
            bytes += frame.length;
            appended.signalAll();
            return seq;
        } finally {
            lock.unlock();
        }
    }

    private boolean mustEvict(int incoming) {
        return !frames.isEmpty() && (frames.size() + 1 > limits.maxEvents() || bytes + incoming > limits.maxBytes());
    }

    private boolean oldestIsUnread() {
        for (Subscriber s : subscribers) {
            if (s.position < firstSeq) return true;
        }
        long now = System.nanoTime();
        departed.values().removeIf(deadline -> now - deadline > 0);
        for (Subscriber s : departed.keySet()) {
            if (s.position < firstSeq) return true;
        }
        return false;
    }

    /** The last seq appended (0 before the first). */
    public long head() {
        lock.lock();
        try {
            return firstSeq + frames.size() - 1;
        } finally {
            lock.unlock();
        }
    }

    /**
     * A subscriber positioned for a cursor: {@code cursor < 0} is the live tail (from the
     * next event); otherwise events with seq > cursor.
     */
    public Subscriber subscribe(long cursor) {
        var s = new Subscriber(cursor < 0 ? head() : cursor);
        subscribers.add(s);
        departed.clear(); // whoever left is back (a simulated host has one reader at a time to wait for)
        signalAdvanced();
        return s;
    }

    public void unsubscribe(Subscriber s) {
        if (subscribers.remove(s) && lossless) departed.put(s, System.nanoTime() + rejoinGraceNanos);
        signalAdvanced();
    }

    public int subscribers() {
        return subscribers.size();
    }

    /**
     * Up to {@code max} frames after the subscriber's position, waiting up to {@code waitMillis}
     * for one; an empty batch on timeout or close. The caller calls {@link #sent} after sending.
     */
    public Batch read(Subscriber s, int max, long waitMillis) throws InterruptedException {
        lock.lockInterruptibly();
        try {
            long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(waitMillis);
            while (!closed && firstSeq + frames.size() - 1 <= s.position) {
                long left = deadline - System.nanoTime();
                if (left <= 0) return new Batch(s.position + 1, List.of(), false);
                appended.awaitNanos(left);
            }
            if (closed) return new Batch(s.position + 1, List.of(), false);
            boolean outdated = s.position + 1 < firstSeq;
            long from = Math.max(s.position + 1, firstSeq);
            int skip = (int) (from - firstSeq);
            int n = (int) Math.min(max, frames.size() - skip);
            var out = new ArrayList<byte[]>(n);
            var it = frames.iterator();
            for (int i = 0; i < skip; i++) it.next();
            for (int i = 0; i < n; i++) out.add(it.next());
            return new Batch(from, out, outdated);
        } finally {
            lock.unlock();
        }
    }

    /** Records that {@code s} has sent everything up to {@code seq}. */
    public void sent(Subscriber s, long seq) {
        s.position = seq;
        signalAdvanced();
    }

    private void signalAdvanced() {
        if (!lossless) return;
        lock.lock();
        try {
            advanced.signalAll();
        } finally {
            lock.unlock();
        }
    }

    public int size() {
        lock.lock();
        try {
            return frames.size();
        } finally {
            lock.unlock();
        }
    }

    public long bytes() {
        lock.lock();
        try {
            return bytes;
        } finally {
            lock.unlock();
        }
    }

    /** Events dropped from the front to stay within the limits. */
    public long evicted() {
        lock.lock();
        try {
            return evicted;
        } finally {
            lock.unlock();
        }
    }

    public void close() {
        lock.lock();
        try {
            closed = true;
            appended.signalAll();
            advanced.signalAll();
        } finally {
            lock.unlock();
        }
    }
}
