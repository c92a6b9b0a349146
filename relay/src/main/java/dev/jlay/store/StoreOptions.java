package dev.jlay.store;

import java.time.Duration;

/**
 * Tuning of the store. Defaults fit a single machine: caches of 200k accounts
 * and repo states (roughly 60 MB together), 50k queued changes per stream,
 * repo/account writes every 200 ms, host cursors every 3 s.
 *
 * @param poolSize            database connections (HikariCP maximum pool size)
 * @param accountCacheSize    accounts kept in memory
 * @param repoStateCacheSize  repo states kept in memory
 * @param pendingCapacity     distinct keys queued per write stream before writers block
 * @param maxBatch            rows per batched statement
 * @param flushInterval       how often repo state and account changes are written
 * @param cursorFlushInterval how often host cursors are written
 * @param maxBackoff          longest wait between retries while the database is down
 * @param connectTimeout      how long a caller waits for a connection before failing
 */
public record StoreOptions(int poolSize,
                           int accountCacheSize,
                           int repoStateCacheSize,
                           int pendingCapacity,
                           int maxBatch,
                           Duration flushInterval,
                           Duration cursorFlushInterval,
                           Duration maxBackoff,
                           Duration connectTimeout) {

    public StoreOptions {
        if (poolSize < 1 || accountCacheSize < 1 || repoStateCacheSize < 1 || pendingCapacity < 1 || maxBatch < 1) {
            throw new IllegalArgumentException("sizes must be positive");
        }
    }

    public static StoreOptions defaults() {
        return new StoreOptions(8, 200_000, 200_000, 50_000, 2_000,
                Duration.ofMillis(200), Duration.ofSeconds(3), Duration.ofSeconds(5), Duration.ofSeconds(5));
    }

    public StoreOptions withPoolSize(int n) {
        return new StoreOptions(n, accountCacheSize, repoStateCacheSize, pendingCapacity, maxBatch,
                flushInterval, cursorFlushInterval, maxBackoff, connectTimeout);
    }

    public StoreOptions withCacheSizes(int accounts, int repoStates) {
        return new StoreOptions(poolSize, accounts, repoStates, pendingCapacity, maxBatch,
                flushInterval, cursorFlushInterval, maxBackoff, connectTimeout);
    }

    public StoreOptions withPendingCapacity(int n) {
        return new StoreOptions(poolSize, accountCacheSize, repoStateCacheSize, n, maxBatch,
                flushInterval, cursorFlushInterval, maxBackoff, connectTimeout);
    }

    public StoreOptions withIntervals(Duration flush, Duration cursorFlush, Duration backoff) {
        return new StoreOptions(poolSize, accountCacheSize, repoStateCacheSize, pendingCapacity, maxBatch,
                flush, cursorFlush, backoff, connectTimeout);
    }
}
