package dev.jlay.jetstream;

import dev.jlay.eventlog.LogEvent;
import dev.jlay.memory.BoundedBuffer;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.function.Function;

/**
 * The translated form of recent events, by seq, so that every connection near the head sends the
 * same bytes and each event is translated once however many connections want it. A slot holds the
 * event whose seq maps to it; a newer seq overwrites it. Bounded in entries (the slots) and in
 * bytes: when an insert would pass the byte bound, older entries are dropped first, and an event
 * bigger than the whole bound is returned uncached. Reads take no lock; a miss translates under one
 * of a few stripe locks, so two connections that miss the same seq at once translate it once.
 */
final class TranslationCache implements BoundedBuffer {
    private static final int STRIPES = 64;

    private final AtomicReferenceArray<TranslatedEvent> slots;
    private final long[] slotBytes; // guarded by this
    private final int mask;
    private final long maxBytes;
    private final Object[] stripes = new Object[STRIPES];
    private volatile long bytes;
    private volatile int entries;

    TranslationCache(int capacity, long maxBytes) {
        int size = Integer.highestOneBit(Math.max(2, capacity - 1)) << 1;
        this.slots = new AtomicReferenceArray<>(size);
        this.slotBytes = new long[size];
        this.mask = size - 1;
        this.maxBytes = maxBytes;
        for (int i = 0; i < STRIPES; i++) {
            stripes[i] = new Object();
        }
    }

    /** The cached translation of {@code seq}, or null. */
    TranslatedEvent get(long seq) {
        var t = slots.get((int) (seq & mask));
        return t != null && t.seq() == seq ? t : null;
    }

    /** The translation of {@code e}: cached, or made now (once) and cached. */
    TranslatedEvent translate(LogEvent e, Function<LogEvent, TranslatedEvent> translator) {
        var hit = get(e.seq());
        if (hit != null) {
            return hit;
        }
        synchronized (stripes[(int) (e.seq() & (STRIPES - 1))]) {
            hit = get(e.seq());
            if (hit != null) {
                return hit;
            }
            var t = translator.apply(e);
            put(t);
            return t;
        }
    }

    private synchronized void put(TranslatedEvent t) {
        // accounted as if compressed too (about half the JSON), so filling the zstd frame later keeps the bound
        long size = t.bytes() * 3 / 2;
        if (size > maxBytes) {
            return;
        }
        int i = (int) (t.seq() & mask);
        var old = slots.get(i);
        if (old != null && old.seq() > t.seq()) {
            return; // a newer event holds the slot: this one is old news
        }
        long b = bytes - slotBytes[i] + size;
        int n = entries + (old == null ? 1 : 0);
        // drop the oldest entries (the slots after this one, in ring order) until the new one fits
        for (int k = 1; b > maxBytes && k < slotBytes.length; k++) {
            int j = (i + k) & mask;
            if (slots.get(j) != null) {
                b -= slotBytes[j];
                slotBytes[j] = 0;
                slots.set(j, null);
                n--;
            }
        }
        slots.set(i, t);
        slotBytes[i] = size;
        bytes = b;
        entries = n;
    }

    @Override
    public String bufferName() {
        return "jetstream_translations";
    }

    @Override
    public long entries() {
        return entries;
    }

    @Override
    public long capacity() {
        return slots.length();
    }

    @Override
    public long bytes() {
        return bytes + slotBytes.length * 16L;
    }

    @Override
    public long byteCapacity() {
        return maxBytes;
    }
}
