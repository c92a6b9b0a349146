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
 * @param connectTimeout      how long a caller waits for a connection before failing (also the TCP connect bound)
 * @param statementTimeout    PostgreSQL cancels a statement that runs longer ({@code statement_timeout})
 * @param socketTimeout       a connection whose socket stays silent this long is broken (pgjdbc
 *                            {@code socketTimeout}): what ends a call on a half-open connection;
 *                            best longer than {@code statementTimeout}, so a slow statement is
 *                            cancelled by the server first and the connection survives
 */
public record StoreOptions(int poolSize,
                           int accountCacheSize,
                           int repoStateCacheSize,
                           int pendingCapacity,
                           int maxBatch,
                           Duration flushInterval,
                           Duration cursorFlushInterval,
                           Duration maxBackoff,
                           Duration connectTimeout,
                           Duration statementTimeout,
                           Duration socketTimeout) {

    public StoreOptions {
        if (poolSize < 1 || accountCacheSize < 1 || repoStateCacheSize < 1 || pendingCapacity < 1 || maxBatch < 1) {
            throw new IllegalArgumentException("sizes must be positive");
        }
        if (!connectTimeout.isPositive() || !statementTimeout.isPositive() || !socketTimeout.isPositive()) {
            throw new IllegalArgumentException("database timeouts must be positive");
        }
    }

    public static StoreOptions defaults() {
        return new StoreOptions(8, 200_000, 200_000, 50_000, 2_000,
                Duration.ofMillis(200), Duration.ofSeconds(3), Duration.ofSeconds(5), Duration.ofSeconds(5),
                Duration.ofSeconds(30), Duration.ofSeconds(60));
    }

    /** The three database timeouts (see the record's parameters). */
    public StoreOptions withTimeouts(Duration connect, Duration statement, Duration socket) {
        return new StoreOptions(poolSize, accountCacheSize, repoStateCacheSize, pendingCapacity, maxBatch,
                flushInterval, cursorFlushInterval, maxBackoff, connect, statement, socket);
    }

    public StoreOptions withConnectTimeout(Duration connect) {
        return withTimeouts(connect, statementTimeout, socketTimeout);
    }

    public StoreOptions withPoolSize(int n) {
        return new StoreOptions(n, accountCacheSize, repoStateCacheSize, pendingCapacity, maxBatch,
                flushInterval, cursorFlushInterval, maxBackoff, connectTimeout,
                statementTimeout, socketTimeout);
    }

    public StoreOptions withCacheSizes(int accounts, int repoStates) {
        return new StoreOptions(poolSize, accounts, repoStates, pendingCapacity, maxBatch,
                flushInterval, cursorFlushInterval, maxBackoff, connectTimeout,
                statementTimeout, socketTimeout);
    }

    public StoreOptions withPendingCapacity(int n) {
        return new StoreOptions(poolSize, accountCacheSize, repoStateCacheSize, n, maxBatch,
                flushInterval, cursorFlushInterval, maxBackoff, connectTimeout,
                statementTimeout, socketTimeout);
    }

    public StoreOptions withIntervals(Duration flush, Duration cursorFlush, Duration backoff) {
        return new StoreOptions(poolSize, accountCacheSize, repoStateCacheSize, pendingCapacity, maxBatch,
                flush, cursorFlush, backoff, connectTimeout, statementTimeout, socketTimeout);
    }
}
