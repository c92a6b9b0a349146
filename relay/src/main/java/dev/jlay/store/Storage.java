package dev.jlay.store;

import dev.jlay.memory.BoundedBuffer;
import dev.jlay.metrics.MetricRegistry;

import java.util.List;

/**
 * Everything the relay keeps in its database, behind small interfaces: {@link Database} is
 * PostgreSQL (a server's, or the embedded one); unit tests use an in-memory stand-in of their own.
 */
public interface Storage extends AutoCloseable {
    RepoStateStore repoState();

    HostStore hosts();

    AccountStore accounts();

    BanStore bans();

    RelayStateStore relayState();

    AuditLog audit();

    /**
     * Accounts that have a commit, with it, in DID order after {@code afterDid} (null = from the
     * start): one database query per page. Reflects flushed writes, with newer cached state of
     * the listed accounts laid over.
     */
    List<ListedRepo> listRepos(String afterDid, int limit);

    /** What /_health reads. */
    DatabaseStatus health();

    /** Writes every queued change now; throws {@link StoreException} when the database is down. */
    void flush();

    /**
     * Writes what a recovery checkpoint needs (repo state, accounts), leaving host cursors to their
     * own cadence: they may lag what is durable (crash recovery's lookback finds the frames past
     * them), and writing every host's cursor on every checkpoint made the database's cost per
     * frame grow with the host count. Throws {@link StoreException} when the database is down.
     */
    default void flushForCheckpoint() {
        flush();
    }

    /** The store's bounded caches and queues, for the relay_buffer_* metrics. */
    List<BoundedBuffer> buffers();

    /**
     * Registers the store's buffers, {@code relay_upstream_hosts{status}} (counted in the background, see
     * {@link HostCountGauges}) and {@code relay_database_up} (and, for PostgreSQL, its db stage and write
     * gauges) with {@code metrics}. No gauge of a store asks the database when scraped.
     */
    void registerMetrics(MetricRegistry metrics);

    /** Flushes what is queued (retrying for a while) and releases the database. */
    @Override
    void close();
}
