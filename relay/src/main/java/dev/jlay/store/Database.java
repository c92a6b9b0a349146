package dev.jlay.store;

import com.zaxxer.hikari.HikariConfig;
import dev.jlay.memory.BoundedBuffer;
import dev.jlay.metrics.MetricRegistry;
import dev.jlay.memory.Stage;
import com.zaxxer.hikari.HikariDataSource;
import io.helidon.dbclient.DbClient;
import io.helidon.dbclient.jdbc.JdbcClientBuilder;
import org.flywaydb.core.Flyway;
import org.postgresql.ds.PGSimpleDataSource;

import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.util.List;

/**
 * The relay's PostgreSQL: a HikariCP pool, the Helidon DB client on top of it,
 * the schema migrated by Flyway on open, and the stores with their batch writer.
 *
 * <pre>{@code
 * try (var db = Database.open("jdbc:postgresql://127.0.0.1:5432/relay?user=relay", 8)) {
 *     db.repoState().put(...);       // cached, written in the next batch
 *     db.health().healthy();         // for /_health
 * }
 * }</pre>
 */
public final class Database implements Storage {
    private final HikariDataSource dataSource;
    private final DbClient client;
    private final DatabaseHealth health;
    private final Sql sql;
    private final PgRepoStateStore repoState;
    private final PgAccountStore accounts;
    private final PgHostStore hosts;
    private final PgBanStore bans;
    private final PgRelayStateStore relayState;
    private final PgAuditLog audit;
    private final BatchWriter writer;
    private volatile boolean closed;
    private volatile EmbeddedDatabase embedded;
    private volatile HostCountGauges hostCounts;

    private Database(HikariDataSource dataSource, StoreOptions options, Clock clock) {
        this.dataSource = dataSource;
        this.client = JdbcClientBuilder.create()
                .connectionPool(() -> {
                    try {
                        return dataSource.getConnection();
                    } catch (SQLException e) {
                        throw new StoreException("no database connection: " + e.getMessage(), e);
                    }
                })
                .build();
        this.health = new DatabaseHealth(clock, this::pendingWrites);
        this.sql = new Sql(client, health);
        Runnable wake = () -> writerWake();
        this.repoState = new PgRepoStateStore(sql, options.repoStateCacheSize(), options.pendingCapacity(), wake);
        var hostQuota = new java.util.concurrent.atomic.AtomicReference<PgHostStore>();
        var quota = new HostAccountQuota(hostname -> hostQuota.get().quota(hostname));
        this.hosts = new PgHostStore(sql, options.pendingCapacity(), wake, quota);
        hostQuota.set(hosts);
        this.accounts = new PgAccountStore(sql, clock, options.accountCacheSize(), options.pendingCapacity(), wake,
                quota, this::flush);
        this.bans = new PgBanStore(sql);
        this.relayState = new PgRelayStateStore(sql);
        this.audit = new PgAuditLog(sql);
        // Accounts before repo state: a batch never writes a repo row ahead of its account.
        this.writer = new BatchWriter(List.of(accounts.writes(), repoState.writes()), List.of(hosts.cursors()),
                sql::ping, health, options.flushInterval(), options.cursorFlushInterval(), options.maxBackoff(),
                options.maxBatch());
        writer.start();
    }

    private void writerWake() {
        if (writer != null) {
            writer.wake();
        }
    }

    /** Opens the database at {@code jdbcUrl} with default options and {@code poolSize} connections. */
    public static Database open(String jdbcUrl, int poolSize) {
        return open(jdbcUrl, StoreOptions.defaults().withPoolSize(poolSize));
    }

    /**
     * Like {@link #open(String, StoreOptions)}, but waits for a database that is not up yet (e.g. started
     * after the relay at boot): retries with capped exponential backoff for up to {@code maxWait}.
     */
    public static Database openWaiting(String jdbcUrl, StoreOptions options, Duration maxWait) {
        long end = System.nanoTime() + maxWait.toNanos();
        long backoffMillis = 250;
        while (true) {
            try {
                return open(jdbcUrl, options);
            } catch (StoreException e) {
                if (!Sql.isConnectionProblem(e) || System.nanoTime() + backoffMillis * 1_000_000 > end) {
                    throw e;
                }
                System.getLogger(Database.class.getName()).log(System.Logger.Level.WARNING,
                        "store: database " + redact(jdbcUrl) + " not reachable yet, retrying: " + e.getMessage());
                try {
                    Thread.sleep(backoffMillis);
                } catch (InterruptedException ie) {
                    Thread.currentThread().interrupt();
                    throw e;
                }
                backoffMillis = Math.min(backoffMillis * 2, options.maxBackoff().toMillis());
            }
        }
    }

    /** Opens the database, migrating its schema first; fails with {@link StoreException} when unreachable. */
    public static Database open(String jdbcUrl, StoreOptions options) {
        return open(jdbcUrl, options, Clock.systemUTC());
    }

    static Database open(String jdbcUrl, StoreOptions options, Clock clock) {
        var config = new HikariConfig();
        config.setJdbcUrl(jdbcUrl);
        config.setMaximumPoolSize(options.poolSize());
        config.setMinimumIdle(Math.min(2, options.poolSize()));
        config.setConnectionTimeout(Math.max(250, options.connectTimeout().toMillis()));
        config.setValidationTimeout(Math.max(250, Math.min(2_000, options.connectTimeout().toMillis())));
        // Without these a half-open connection (peer gone, no RST) blocks its caller forever: the
        // socket timeout ends the call, the statement timeout lets the server cancel a slow one first.
        // pgjdbc counts both in whole seconds; a parameter in the URL wins over these.
        config.addDataSourceProperty("connectTimeout", wholeSeconds(options.connectTimeout()));
        config.addDataSourceProperty("socketTimeout", wholeSeconds(options.socketTimeout()));
        config.setConnectionInitSql("SET statement_timeout = " + options.statementTimeout().toMillis());
        config.setPoolName("jlay-store");
        // Start even if the first connection fails here; migrate() below reports it clearly.
        config.setInitializationFailTimeout(-1);
        var ds = new HikariDataSource(config);
        try {
            migrate(migrationSource(jdbcUrl, options));
            return new Database(ds, options, clock);
        } catch (RuntimeException e) {
            ds.close();
            throw e instanceof StoreException se ? se
                    : new StoreException("cannot open database " + redact(jdbcUrl) + ": " + e.getMessage(), e);
        }
    }

    private static int wholeSeconds(Duration d) {
        return (int) Math.max(1, (d.toMillis() + 999) / 1000);
    }

    /**
     * Connections of their own for the migrations: a migration (an index on a big table) may run far
     * longer than any statement of the running relay, so neither timeout of the pool applies.
     */
    private static javax.sql.DataSource migrationSource(String jdbcUrl, StoreOptions options) {
        var ds = new PGSimpleDataSource();
        ds.setURL(jdbcUrl);
        ds.setConnectTimeout(wholeSeconds(options.connectTimeout()));
        return ds;
    }

    /**
     * Starts the embedded PostgreSQL under {@code dataDir} (see {@link EmbeddedDatabase}) and opens it;
     * closing the database stops the server. For {@code demo} and when no database URL is configured.
     */
    public static Database openEmbedded(java.nio.file.Path dataDir, StoreOptions options) {
        var pg = EmbeddedDatabase.start(dataDir);
        try {
            var db = open(pg.jdbcUrl(), options);
            db.embedded = pg;
            return db;
        } catch (RuntimeException e) {
            pg.close();
            throw e;
        }
    }

    /** Applies the migrations shipped in the jar (classpath:db/migration); a no-op when up to date. */
    static void migrate(javax.sql.DataSource ds) {
        Flyway.configure()
                .dataSource(ds)
                .locations("classpath:db/migration")
                .failOnMissingLocations(true)
                .load()
                .migrate();
    }

    /** The URL without credentials, for messages. */
    static String redact(String jdbcUrl) {
        return jdbcUrl.replaceAll("(?i)(password=)[^&]*", "$1***");
    }

    @Override
    public RepoStateStore repoState() {
        return repoState;
    }

    @Override
    public HostStore hosts() {
        return hosts;
    }

    @Override
    public AccountStore accounts() {
        return accounts;
    }

    @Override
    public BanStore bans() {
        return bans;
    }

    @Override
    public RelayStateStore relayState() {
        return relayState;
    }

    @Override
    public AuditLog audit() {
        return audit;
    }

    @Override
    public List<ListedRepo> listRepos(String afterDid, int limit) {
        var page = repoState.listWithAccounts(afterDid, limit);
        var out = new java.util.ArrayList<ListedRepo>(page.size());
        for (var listed : page) {
            // the caches hold every change not yet flushed (and may hold none: then the row is current)
            var did = listed.account().did();
            out.add(new ListedRepo(accounts.cache().cached(did).orElse(listed.account()),
                    repoState.cache().cached(did).orElse(listed.repo())));
        }
        return out;
    }

    @Override
    public DatabaseStatus health() {
        return health.status();
    }

    /** The store's statements with its error handling (tests run their own through it). */
    Sql sql() {
        return sql;
    }

    /** The health tracker itself (e.g. for a health check that wants {@code healthy()} cheaply). */
    public DatabaseHealth databaseHealth() {
        return health;
    }

    @Override
    public void flush() {
        writer.flushAll();
    }

    @Override
    public void flushForCheckpoint() {
        writer.flushFast();
    }

    @Override
    public List<BoundedBuffer> buffers() {
        return List.of(
                accounts.writes(),
                repoState.writes(),
                hosts.cursors(),
                accounts.cache(),
                repoState.cache());
    }

    @Override
    public void registerMetrics(MetricRegistry metrics) {
        hostCounts = StoreMetrics.register(this, metrics); // buffers, relay_upstream_hosts, relay_database_up
        writer.meter(metrics.stage(Stage.DB));
        metrics.gauge("relay_store_pending_writes", "Changes queued for the database (kept during an outage).",
                () -> pendingWrites());
        metrics.counter("relay_store_rows_written_total", "Rows written by the store's batch writer.",
                () -> writer.rowsWritten());
        metrics.counter("relay_store_host_cursor_rows_written_total",
                "Host cursor rows written (one statement per write, a row per host that advanced).",
                () -> writer.slowRowsWritten());
        metrics.counter("relay_store_write_failures_total", "Failed batch writes (each is retried).",
                () -> writer.failures());
        metrics.counter("relay_store_blocked_puts_total",
                "Changes that had to wait for room in a full write queue.",
                () -> accounts.writes().pending().blockedPuts() + repoState.writes().pending().blockedPuts()
                        + hosts.cursors().pending().blockedPuts());
    }

    private long pendingWrites() {
        return (long) accounts.writes().pending().size() + repoState.writes().pending().size()
                + hosts.cursors().pending().size();
    }

    /** Writes what is queued (retrying up to {@code deadline} while the database is down), then closes. */
    public boolean close(Duration deadline) {
        if (closed) {
            return true;
        }
        closed = true;
        var counts = hostCounts;
        if (counts != null) {
            counts.close();
        }
        boolean flushed = writer.stop(deadline);
        client.close();
        dataSource.close();
        var pg = embedded;
        if (pg != null) {
            pg.close();
        }
        return flushed;
    }

    @Override
    public void close() {
        close(Duration.ofSeconds(30));
    }
}
