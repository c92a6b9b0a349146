package dev.jlay.store;

import com.github.benmanes.caffeine.cache.Cache;
import dev.jlay.memory.BoundedBuffer;

/** A bounded Caffeine cache seen as a buffer for the relay_buffer_* metrics. */
record CacheBuffer(String bufferName, Cache<?, ?> cache, long bytesPerEntry) implements BoundedBuffer {
    @Override
    public long entries() {
        return cache.estimatedSize();
    }

    @Override
    public long capacity() {
        return cache.policy().eviction().map(e -> e.getMaximum()).orElse(Long.MAX_VALUE);
    }

    @Override
    public long bytes() {
        return entries() * bytesPerEntry;
    }
}
