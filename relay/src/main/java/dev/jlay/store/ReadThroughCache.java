package dev.jlay.store;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.jlay.memory.BoundedBuffer;

import java.util.Optional;
import java.util.function.Function;

/**
 * A bounded cache in front of a PostgreSQL read, for a store whose changes wait in a
 * {@link PendingWrites} queue: a read tries the cache, then the queue (an evicted entry may not
 * be written yet), then the database; a write replaces the cached value. The cache remembers
 * "no row" too, so a DID seen for the first time costs one query. Exported as a
 * {@code relay_buffer_*} buffer of {@code bytesPerEntry} per entry.
 */
final class ReadThroughCache<K, V> implements BoundedBuffer {
    private final String bufferName;
    private final long capacity;
    private final long bytesPerEntry;
    private final Cache<K, Optional<V>> cache;
    private final PendingWrites<K, V> pending;
    private final Function<K, Optional<V>> load;

    /**
     * @param pending the store's queued writes, read before the database
     * @param load    the database read (one row or none)
     */
    ReadThroughCache(String bufferName, int capacity, long bytesPerEntry, PendingWrites<K, V> pending,
                     Function<K, Optional<V>> load) {
        this.bufferName = bufferName;
        this.capacity = capacity;
        this.bytesPerEntry = bytesPerEntry;
        this.pending = pending;
        this.load = load;
        // Eviction runs on the caller thread, so the bound holds at every moment.
        this.cache = Caffeine.newBuilder().maximumSize(capacity).executor(Runnable::run).build();
    }

    /** The newest value: cached, queued, or loaded (and then cached). */
    Optional<V> get(K key) {
        var cached = cache.getIfPresent(key);
        if (cached != null) {
            return cached;
        }
        var queued = pending.get(key);
        if (queued != null) {
            return Optional.of(queued);
        }
        var loaded = load.apply(key);
        // A put may have raced the load: only fill the cache if nothing newer is there.
        cache.asMap().putIfAbsent(key, loaded);
        var now = cache.getIfPresent(key);
        return now != null ? now : loaded;
    }

    /** The cached value, without a query; empty when not cached (or cached as absent). */
    Optional<V> cached(K key) {
        var cached = cache.getIfPresent(key);
        return cached != null ? cached : Optional.empty();
    }

    /** {@code value} is the newest for {@code key}; the caller writes it (now, or by queueing it). */
    void put(K key, V value) {
        cache.put(key, Optional.of(value));
    }

    /** Cached and queued for the batch writer. */
    void putQueued(K key, V value) {
        cache.put(key, Optional.of(value));
        pending.put(key, value);
    }

    @Override
    public String bufferName() {
        return bufferName;
    }

    @Override
    public long entries() {
        return cache.estimatedSize();
    }

    @Override
    public long capacity() {
        return capacity;
    }

    @Override
    public long bytes() {
        return entries() * bytesPerEntry;
    }
}
