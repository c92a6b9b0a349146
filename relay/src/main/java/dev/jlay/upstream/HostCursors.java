package dev.jlay.upstream;

import dev.jlay.memory.BoundedBuffer;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListSet;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.LongSupplier;

/**
 * How far each host's cursor may be persisted. A frame is in flight from the moment its host's
 * reader hands it on until it is durable in the event log or dropped; the persisted cursor never
 * passes the lowest seq still in flight, so a restart (even after kill -9) re-reads every frame
 * that was not yet durable and skips none. Within one process a reconnect resumes after the
 * highest seq received instead: frames already received are still on their way, and asking for
 * them again would only make duplicates.
 *
 * <p>After a crash the persisted cursor may still lag behind frames that did become durable:
 * crash recovery hands over which host seqs are already in the event log ({@link #alreadyDurable}),
 * and the reader skips those when the host sends them again, so none is carried twice.
 *
 * <p>In-flight entries are bounded by the pipeline's own bounds (worker queues, parking lot,
 * sequencer queue): a frame enters here only when one of those accepted it. Recovered seqs are
 * bounded by the events written since the last recovery checkpoint, and freed as hosts pass them.
 */
public final class HostCursors implements BoundedBuffer {

    /** Where persisted cursors go (the host store's batched cursor writes). */
    @FunctionalInterface
    public interface Store {
        /** Queues {@code seq} as the host's cursor; called only with increasing values. */
        void persist(String host, long seq);
    }

    private static final long ENTRY_BYTES = 64; // skip-list node + boxed Long, roughly

    private final Store store;
    private final long capacity;
    private final ConcurrentHashMap<String, Progress> hosts = new ConcurrentHashMap<>();
    private final LongAdder inFlight = new LongAdder();
    /** Per host, sorted host seqs already durable in the event log (from crash recovery). */
    private final ConcurrentHashMap<String, long[]> durable = new ConcurrentHashMap<>();
    private final LongAdder recoveredEntries = new LongAdder();
    /** Per host, the highest recovered seq its persisted cursor has not passed yet. */
    private final ConcurrentHashMap<String, Long> recoveredMax = new ConcurrentHashMap<>();
    private final LongAdder skipped = new LongAdder();

    private static final class Progress {
        final ConcurrentSkipListSet<Long> inFlight = new ConcurrentSkipListSet<>();
        final AtomicLong received = new AtomicLong();
        final AtomicLong persisted;

        Progress(long stored) {
            persisted = new AtomicLong(stored);
            received.set(stored);
        }
    }

    /** @param capacity the pipeline's total frame bound (reported as this buffer's capacity) */
    public HostCursors(Store store, long capacity) {
        this.store = store;
        this.capacity = capacity;
    }

    /** Starts tracking {@code host} from its persisted cursor (before its connection starts). */
    public void seed(String host, long stored) {
        hosts.putIfAbsent(host, new Progress(stored));
    }

    /**
     * Host {@code host}'s frames with these seqs are already durable in the event log (crash
     * recovery found them past the persisted cursor). Call before the host's connection starts.
     */
    public void alreadyDurable(String host, long[] seqs) {
        if (seqs.length == 0) return;
        var sorted = seqs.clone();
        java.util.Arrays.sort(sorted);
        recoveredMax.merge(host, sorted[sorted.length - 1], Math::max);
        var before = durable.put(host, sorted);
        recoveredEntries.add(sorted.length - (before == null ? 0 : before.length));
    }

    /**
     * True when frame {@code seq} of {@code host} is already durable (see {@link #alreadyDurable}):
     * the reader drops it, and the cursor may pass it as if it had completed.
     */
    public boolean skipDurable(String host, long seq) {
        var seqs = durable.get(host);
        if (seqs == null) return false;
        if (seq > seqs[seqs.length - 1]) {
            // the host is past every recovered frame: nothing more to skip
            if (durable.remove(host, seqs)) recoveredEntries.add(-seqs.length);
            return false;
        }
        if (java.util.Arrays.binarySearch(seqs, seq) < 0) return false;
        var p = progress(host);
        p.received.accumulateAndGet(seq, Math::max);
        advance(host, p);
        skipped.increment();
        return true;
    }

    /** Frames skipped by {@link #skipDurable} since start. */
    public long skippedDurable() {
        return skipped.sum();
    }

    /** The recovered seqs as a bounded buffer of their own. */
    public BoundedBuffer recoveredBuffer() {
        LongSupplier entries = () -> Math.max(0, recoveredEntries.sum());
        // capacity is fixed by the events since the last checkpoint; it only shrinks
        return BoundedBuffer.of("host_cursor_recovered", entries, entries, () -> entries.getAsLong() * Long.BYTES);
    }

    /** The reader is about to hand frame {@code seq} on: it is in flight from now. */
    public void received(String host, long seq) {
        if (seq <= 0) return;
        if (progress(host).inFlight.add(seq)) inFlight.increment();
    }

    /**
     * The pipeline took frame {@code seq}: a reconnect resumes after it. Raised only now, so a frame
     * the pipeline never took is read again. The frame may have completed already.
     */
    public void taken(String host, long seq) {
        if (seq <= 0) return;
        var p = progress(host);
        p.received.accumulateAndGet(seq, Math::max);
        advance(host, p);
    }

    /** The frame was not taken after all (the sink refused it, or the reader was interrupted). */
    public void abandoned(String host, long seq) {
        var p = hosts.get(host);
        if (p != null && p.inFlight.remove(seq)) inFlight.decrement();
    }

    /** Frame {@code seq} is durable in the event log, or was dropped: the cursor may pass it. */
    public void completed(String host, long seq) {
        if (seq <= 0) return;
        var p = hosts.get(host);
        if (p == null) return;
        if (p.inFlight.remove(seq)) inFlight.decrement();
        advance(host, p);
    }

    private void advance(String host, Progress p) {
        long safe = safeCursor(p);
        long before = p.persisted.getAndAccumulate(safe, Math::max);
        if (safe > before) {
            store.persist(host, safe);
            var max = recoveredMax.get(host);
            if (max != null && safe >= max) recoveredMax.remove(host, max);
        }
    }

    /**
     * True once every host's cursor (as queued for the store) has passed every frame crash recovery
     * found durable past it: a crash from now on needs no search older than the time lookback.
     */
    public boolean recoveredPassed() {
        return recoveredMax.isEmpty();
    }

    /** Where a (re)connect within this process resumes: after everything already received. */
    public long resumeFrom(String host) {
        return progress(host).received.get();
    }

    /** The highest seq that may be persisted now. */
    public long safeCursor(String host) {
        var p = hosts.get(host);
        return p == null ? 0 : safeCursor(p);
    }

    private static long safeCursor(Progress p) {
        // read `received` before the set: a frame is added to the set before `received` passes it
        long received = p.received.get();
        Long lowest = p.inFlight.isEmpty() ? null : firstOrNull(p.inFlight);
        return lowest == null ? received : Math.min(received, lowest - 1);
    }

    private static Long firstOrNull(ConcurrentSkipListSet<Long> set) {
        try {
            return set.first();
        } catch (java.util.NoSuchElementException raced) {
            return null;
        }
    }

    /** Forgets a host that is no longer read (its in-flight frames still complete harmlessly). */
    public void forget(String host) {
        // recovered seqs stay: the host, started again, re-reads from the same lagging cursor
        var p = hosts.remove(host);
        if (p != null) inFlight.add(-p.inFlight.size());
    }

    private Progress progress(String host) {
        return hosts.computeIfAbsent(host, h -> new Progress(0));
    }

    @Override
    public String bufferName() {
        return "host_cursor_in_flight";
    }

    @Override
    public long entries() {
        return Math.max(0, inFlight.sum());
    }

    @Override
    public long capacity() {
        return capacity;
    }

    @Override
    public long bytes() {
        return entries() * ENTRY_BYTES + (long) hosts.size() * 128;
    }
}
