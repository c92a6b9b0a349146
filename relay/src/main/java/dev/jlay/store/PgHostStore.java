package dev.jlay.store;

import io.helidon.dbclient.DbRow;

import java.time.Instant;
import java.sql.Timestamp;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** Hosts in PostgreSQL; cursors go through a write-behind queue flushed every few seconds. */
final class PgHostStore implements HostStore {
    static final long BYTES_PER_CURSOR = 120;
    private static final String COLUMNS = "id, hostname, status, last_seq, account_count, account_limit, "
            + "events_per_second, events_per_hour, events_per_day, trusted, created_at, updated_at";

    private static final String WRITE_CURSORS = """
            UPDATE host h SET last_seq = u.seq, updated_at = now()
              FROM unnest(CAST(? AS text[]), CAST(? AS bigint[])) AS u(hostname, seq)
             WHERE h.hostname = u.hostname
            """;

    /** A cursor waiting to be written. */
    record Cursor(String hostname, long seq) {
    }

    private final Sql sql;
    private final WriteBehind<String, Cursor> cursors;
    private final HostAccountQuota quota;

    PgHostStore(Sql sql, int pendingCapacity, Runnable onFull, HostAccountQuota quota) {
        this.sql = sql;
        this.quota = quota;
        this.cursors = new WriteBehind<>(new PendingWrites<>("store_host_cursor_writes", pendingCapacity, onFull),
                this::writeCursors, BYTES_PER_CURSOR);
    }

    WriteBehind<String, Cursor> cursors() {
        return cursors;
    }

    @Override
    public Host register(String hostname, HostLimits limits, boolean trusted) {
        return sql.call("register host", ex -> {
            ex.dml("""
                    INSERT INTO host (hostname, account_limit, events_per_second, events_per_hour, events_per_day, trusted)
                    VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (hostname) DO NOTHING
                    """, hostname, limits.accountLimit(), limits.eventsPerSecond(), limits.eventsPerHour(),
                    limits.eventsPerDay(), trusted);
            return ex.get("SELECT " + COLUMNS + " FROM host WHERE hostname = ?", hostname)
                    .map(this::host).orElseThrow();
        });
    }

    @Override
    public Optional<Host> get(String hostname) {
        return sql.call("get host", ex -> ex.get("SELECT " + COLUMNS + " FROM host WHERE hostname = ?", hostname)
                .map(this::host));
    }

    @Override
    public List<Host> list(long afterId, int limit) {
        return sql.list("list hosts", "SELECT " + COLUMNS + " FROM host WHERE id > ? ORDER BY id LIMIT ?",
                this::host, afterId, limit);
    }

    @Override
    public void setStatus(String hostname, HostStatus status) {
        update("set host status", "UPDATE host SET status = ?, updated_at = now() WHERE hostname = ?",
                status.value(), hostname);
    }

    @Override
    public void setLimits(String hostname, HostLimits limits) {
        update("set host limits", """
                UPDATE host SET account_limit = ?, events_per_second = ?, events_per_hour = ?, events_per_day = ?,
                                updated_at = now()
                 WHERE hostname = ?
                """, limits.accountLimit(), limits.eventsPerSecond(), limits.eventsPerHour(), limits.eventsPerDay(),
                hostname);
        quota.limitsChanged(hostname, limits.accountLimit(), null);
    }

    @Override
    public void setTrusted(String hostname, boolean trusted) {
        update("set host trusted", "UPDATE host SET trusted = ?, updated_at = now() WHERE hostname = ?",
                trusted, hostname);
        quota.limitsChanged(hostname, null, trusted);
    }

    /** A host's account limit, trust and admitted (not throttled) accounts, for {@link HostAccountQuota}. */
    java.util.Optional<HostAccountQuota.Loaded> quota(String hostname) {
        return sql.call("load host quota", ex -> ex.get("""
                SELECT h.account_limit, h.trusted,
                       (SELECT count(*) FROM account a
                         WHERE a.host = h.hostname AND a.local_status <> 'throttled') AS admitted
                  FROM host h WHERE h.hostname = ?
                """, hostname).map(r -> new HostAccountQuota.Loaded(Sql.longOf(r, "account_limit"),
                Sql.boolOf(r, "trusted"), Sql.longOf(r, "admitted"))));
    }

    @Override
    public void updateCursor(String hostname, long seq) {
        cursors.pending().put(hostname, new Cursor(hostname, seq));
    }

    @Override
    public long cursor(String hostname) {
        var queued = cursors.pending().get(hostname);
        return queued != null ? queued.seq() : HostStore.super.cursor(hostname);
    }

    @Override
    public Map<HostStatus, Long> countByStatus() {
        var counts = new EnumMap<HostStatus, Long>(HostStatus.class);
        for (var s : HostStatus.values()) {
            counts.put(s, 0L);
        }
        sql.list("count hosts", "SELECT status, count(*) AS n FROM host GROUP BY status",
                r -> Map.entry(HostStatus.of(Sql.stringOf(r, "status")), Sql.longOf(r, "n")))
                .forEach(e -> counts.put(e.getKey(), e.getValue()));
        return counts;
    }

    @Override
    public long countRegisteredSince(Instant since) {
        return sql.call("count new hosts", ex -> ex.get("SELECT count(*) AS n FROM host WHERE created_at >= ?",
                Timestamp.from(since)).map(r -> Sql.longOf(r, "n")).orElse(0L));
    }

    private void update(String what, String statement, Object... params) {
        long n = sql.call(what, ex -> ex.dml(statement, params));
        if (n == 0) {
            throw new StoreException(what + ": no such host " + params[params.length - 1]);
        }
    }

    private void writeCursors(List<Cursor> batch) {
        int n = batch.size();
        var names = new String[n];
        var seqs = new long[n];
        for (int i = 0; i < n; i++) {
            names[i] = batch.get(i).hostname();
            seqs[i] = batch.get(i).seq();
        }
        sql.call("write host cursors", ex -> ex.dml(WRITE_CURSORS, names, seqs));
    }

    /** The stored row, with a cursor that is newer than the row when one is queued. */
    private Host host(DbRow r) {
        var h = new Host(Sql.longOf(r, "id"), Sql.stringOf(r, "hostname"), HostStatus.of(Sql.stringOf(r, "status")),
                Sql.longOf(r, "last_seq"), Sql.longOf(r, "account_count"),
                new HostLimits(Sql.longOf(r, "account_limit"), Sql.longOf(r, "events_per_second"),
                        Sql.longOf(r, "events_per_hour"), Sql.longOf(r, "events_per_day")),
                Sql.boolOf(r, "trusted"), Sql.instantOf(r, "created_at"), Sql.instantOf(r, "updated_at"));
        var queued = cursors.pending().get(h.hostname());
        return queued == null ? h : h.withLastSeq(queued.seq());
    }
}
