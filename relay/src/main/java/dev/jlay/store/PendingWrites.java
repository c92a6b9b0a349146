package dev.jlay.store;

import java.lang.System.Logger.Level;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.UnaryOperator;

/**
 * Changes waiting for the database, one entry per key: a newer value for a key
 * replaces the queued one (last write wins, so per-key order is kept for free).
 * Entries stay readable ({@link #get}) until their batch has committed, so a
 * cache eviction never exposes an older database row.
 *
 * <p>Bounded: when {@code capacity} distinct keys are waiting, {@link #put} of a
 * new key blocks until the writer has made room. State is never dropped; a long
 * database outage therefore turns into backpressure on the callers.
 */
final class PendingWrites<K, V> {
    private static final System.Logger LOG = System.getLogger(PendingWrites.class.getName());

    private final String name;
    private final int capacity;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition notFull = lock.newCondition();
    private final LinkedHashMap<K, V> queued = new LinkedHashMap<>();
    private final HashMap<K, V> inFlight = new HashMap<>();
    private final Runnable onFull;
    private long blockedPuts;
    private long puts;

    PendingWrites(String name, int capacity, Runnable onFull) {
        if (capacity < 1) {
            throw new IllegalArgumentException("capacity must be positive");
        }
        this.name = name;
        this.capacity = capacity;
        this.onFull = onFull;
    }

    String name() {
        return name;
    }

    int capacity() {
        return capacity;
    }

    /** Queued plus in-flight entries. */
    int size() {
        lock.lock();
        try {
            return queued.size() + inFlight.size();
        } finally {
            lock.unlock();
        }
    }

    /** How many puts had to wait for room (a sign the database is slow or down). */
    long blockedPuts() {
        lock.lock();
        try {
            return blockedPuts;
        } finally {
            lock.unlock();
        }
    }

    void put(K key, V value) {
        lock.lock();
        try {
            if (!queued.containsKey(key) && queued.size() + inFlight.size() >= capacity) {
                blockedPuts++;
                long waitedSeconds = 0;
                while (!queued.containsKey(key) && queued.size() + inFlight.size() >= capacity) {
                    onFull.run();
                    if (!notFull.await(1, TimeUnit.SECONDS)) {
                        waitedSeconds++;
                        if (waitedSeconds % 10 == 1) {
                            LOG.log(Level.WARNING, () -> "store: " + name + " write queue full (" + capacity
                                    + "); waiting for the database");
                        }
                    }
                }
            }
            queued.put(key, value);
            puts++;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new StoreException("interrupted while waiting for room in " + name, e);
        } finally {
            lock.unlock();
        }
    }

    /** Every put since start (a key put twice counts twice: one change each). */
    long puts() {
        lock.lock();
        try {
            return puts;
        } finally {
            lock.unlock();
        }
    }

    /** The newest value waiting for the database, or null. */
    V get(K key) {
        lock.lock();
        try {
            var v = queued.get(key);
            return v != null ? v : inFlight.get(key);
        } finally {
            lock.unlock();
        }
    }

    /** Applies {@code change} to a waiting value, if there is one (e.g. an admin status change). */
    void updateIfPresent(K key, UnaryOperator<V> change) {
        lock.lock();
        try {
            queued.computeIfPresent(key, (k, v) -> change.apply(v));
            inFlight.computeIfPresent(key, (k, v) -> change.apply(v));
        } finally {
            lock.unlock();
        }
    }

    /** Moves up to {@code max} of the oldest entries in flight and returns them. */
    List<V> takeBatch(int max) {
        lock.lock();
        try {
            if (!inFlight.isEmpty()) {
                throw new IllegalStateException(name + ": previous batch not settled");
            }
            var batch = new ArrayList<V>(Math.min(max, queued.size()));
            var it = queued.entrySet().iterator();
            while (it.hasNext() && batch.size() < max) {
                var e = it.next();
                inFlight.put(e.getKey(), e.getValue());
                batch.add(e.getValue());
                it.remove();
            }
            return batch;
        } finally {
            lock.unlock();
        }
    }

    /** The in-flight batch is durable. */
    void committed() {
        lock.lock();
        try {
            inFlight.clear();
            notFull.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /** The in-flight batch failed: back into the queue, unless a newer value arrived meanwhile. */
    void failed() {
        lock.lock();
        try {
            // Re-queue at the front so the oldest changes go first next time.
            var merged = new LinkedHashMap<K, V>(inFlight);
            for (Map.Entry<K, V> e : queued.entrySet()) {
                merged.put(e.getKey(), e.getValue());
            }
            queued.clear();
            queued.putAll(merged);
            inFlight.clear();
        } finally {
            lock.unlock();
        }
    }
}
