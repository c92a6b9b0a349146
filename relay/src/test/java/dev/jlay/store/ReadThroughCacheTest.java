package dev.jlay.store;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** The read order both PostgreSQL stores rely on: cache, then queued writes, then one query. */
class ReadThroughCacheTest {
    private final Map<String, String> rows = new HashMap<>();
    private final AtomicInteger queries = new AtomicInteger();
    private final PendingWrites<String, String> pending = new PendingWrites<>("test_writes", 10, () -> {});
    private final ReadThroughCache<String, String> cache = new ReadThroughCache<>("test_cache", 3, 100, pending,
            key -> {
                queries.incrementAndGet();
                return Optional.ofNullable(rows.get(key));
            });

    @Test
    void loadsOnceAndRemembersAMissingRow() {
        rows.put("a", "row-a");
        assertThat(cache.get("a")).contains("row-a");
        assertThat(cache.get("a")).contains("row-a");
        assertThat(cache.get("b")).isEmpty();
        assertThat(cache.get("b")).isEmpty();
        assertThat(queries).as("one query per key, absent ones too").hasValue(2);
        assertThat(cache.cached("a")).contains("row-a");
        assertThat(cache.cached("c")).as("no query for a peek").isEmpty();
        assertThat(queries).hasValue(2);
    }

    @Test
    void aQueuedWriteWinsOverTheDatabaseAndAPutOverTheCache() {
        rows.put("a", "old");
        pending.put("a", "queued");
        assertThat(cache.get("a")).as("an evicted, unwritten change is read from the queue").contains("queued");
        assertThat(queries).hasValue(0);

        assertThat(cache.get("b")).isEmpty();
        cache.putQueued("b", "new");
        assertThat(cache.get("b")).contains("new");
        assertThat(pending.get("b")).isEqualTo("new");
        cache.put("b", "newer");
        assertThat(cache.get("b")).contains("newer");
        assertThat(pending.get("b")).as("put leaves the queue to the caller").isEqualTo("new");
    }

    @Test
    void exportsItsBoundAndSizeAsABuffer() {
        for (var key : new String[] {"a", "b", "c", "d", "e"}) cache.put(key, key);
        cache.get("a");
        assertThat(cache.bufferName()).isEqualTo("test_cache");
        assertThat(cache.capacity()).isEqualTo(3);
        assertThat(cache.entries()).isLessThanOrEqualTo(3);
        assertThat(cache.bytes()).isEqualTo(cache.entries() * 100);
    }
}
