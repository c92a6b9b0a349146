package dev.jlay.store;

import io.helidon.dbclient.DbRow;

import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Supplier;
import java.util.function.UnaryOperator;

/** Accounts in PostgreSQL behind a bounded cache; pipeline changes are batched, admin changes immediate. */
final class PgAccountStore implements AccountStore {
    static final long BYTES_PER_ENTRY = 350;
    /** Accounts re-activated by one limit change at most (each gets its own #account event). */
    static final int MAX_REACTIVATE = 100_000;
    private static final String COLUMNS =
            "did, host, local_status, upstream_status, discontinuities, created_at, updated_at";

    // local_status is only set on insert: it belongs to the admin, written by setLocalStatus.
    private static final String UPSERT = """
            INSERT INTO account (did, host, local_status, upstream_status, discontinuities, created_at, updated_at)
            SELECT u.did, u.host, u.local_status, u.upstream_status, u.discontinuities, now(), now()
              FROM unnest(CAST(? AS text[]), CAST(? AS text[]), CAST(? AS text[]), CAST(? AS text[]),
                          CAST(? AS bigint[]))
                   AS u(did, host, local_status, upstream_status, discontinuities)
            ON CONFLICT (did) DO UPDATE
               SET host = excluded.host, upstream_status = excluded.upstream_status,
                   discontinuities = excluded.discontinuities, updated_at = excluded.updated_at
            """;

    private final Sql sql;
    private final Clock clock;
    private final ReadThroughCache<String, Account> cache;
    private final WriteBehind<String, Account> writes;
    private final Object[] stripes = new Object[256];
    private final HostAccountQuota quota;
    private final Runnable flush;

    /**
     * @param quota per-host account limits (shared with the host store, which reports limit changes)
     * @param flush writes every queued change now (the store's batch writer)
     */
    PgAccountStore(Sql sql, Clock clock, int cacheSize, int pendingCapacity, Runnable onFull,
                   HostAccountQuota quota, Runnable flush) {
        this.sql = sql;
        this.clock = clock;
        this.quota = quota;
        this.flush = flush;
        this.writes = new WriteBehind<>(new PendingWrites<>("store_account_writes", pendingCapacity, onFull),
                this::writeBatch, BYTES_PER_ENTRY);
        this.cache = new ReadThroughCache<>("store_account_cache", cacheSize, BYTES_PER_ENTRY, writes.pending(),
                did -> sql.call("load account", ex -> ex.get(
                        "SELECT " + COLUMNS + " FROM account WHERE did = ?", did).map(PgAccountStore::account)));
        for (int i = 0; i < stripes.length; i++) {
            stripes[i] = new Object();
        }
    }

    WriteBehind<String, Account> writes() {
        return writes;
    }

    ReadThroughCache<String, Account> cache() {
        return cache;
    }

    @Override
    public Optional<Account> get(String did) {
        return cache.get(did);
    }

    @Override
    public Account ensure(String did, String host) {
        var cached = cache.cached(did);
        if (cached.isPresent()) {
            return cached.get();
        }
        return mutate(did, a -> a, () -> admitted(did, host));
    }

    @Override
    public Account setHost(String did, String host) {
        synchronized (stripe(did)) {
            var before = get(did);
            var next = mutate(did, a -> Objects.equals(a.host(), host) ? a : moved(a, host),
                    () -> admitted(did, host));
            if (before.isPresent() && before.get().localStatus() != next.localStatus()) {
                // batched upserts leave local_status alone (it is the admin's): write the change now
                writeLocalStatus(did, Optional.of(next), next.localStatus());
            }
            return next;
        }
    }

    /** A new account: active while its host has room under its account limit, throttled beyond. */
    private Account admitted(String did, String host) {
        var a = fresh(did, host);
        return quota.admit(host) ? a : a.withLocalStatus(LocalStatus.THROTTLED, a.createdAt());
    }

    /**
     * The account moved to another PDS: it leaves the old host's count and is admitted on the new
     * one (a throttled account may become active there, an active one throttled); a takedown or
     * suspension stays and counts.
     */
    private Account moved(Account a, String host) {
        if (a.localStatus() != LocalStatus.THROTTLED) {
            quota.adjust(a.host(), -1);
        }
        var now = clock.instant();
        var next = a.withHost(host, now);
        return switch (a.localStatus()) {
            case ACTIVE, THROTTLED -> next.withLocalStatus(quota.admit(host) ? LocalStatus.ACTIVE
                    : LocalStatus.THROTTLED, now);
            case TAKENDOWN, SUSPENDED -> {
                quota.adjust(host, +1);
                yield next;
            }
        };
    }

    @Override
    public Account setUpstreamStatus(String did, UpstreamStatus status) {
        return mutate(did, a -> a.withUpstreamStatus(status, clock.instant()),
                () -> fresh(did, null).withUpstreamStatus(status, clock.instant()));
    }

    @Override
    public Account recordDiscontinuity(String did) {
        return mutate(did, a -> a.withDiscontinuity(clock.instant()),
                () -> fresh(did, null).withDiscontinuity(clock.instant()));
    }

    @Override
    public Account setLocalStatus(String did, LocalStatus status) {
        synchronized (stripe(did)) {
            var before = get(did);
            var next = writeLocalStatus(did, before, status);
            // the host's count of admitted accounts (all but throttled) follows
            boolean was = before.map(a -> a.localStatus() != LocalStatus.THROTTLED).orElse(false);
            boolean is = status != LocalStatus.THROTTLED;
            if (was != is && next.host() != null) {
                quota.adjust(next.host(), is ? +1 : -1);
            }
            return next;
        }
    }

    @Override
    public List<Account> reactivateThrottled(String host) {
        flush.run(); // throttled accounts may still be queued: the query must see them
        long room = quota.room(host);
        if (room <= 0) {
            return List.of();
        }
        var dids = sql.list("list throttled accounts", """
                SELECT did FROM account WHERE host = ? AND local_status = 'throttled'
                 ORDER BY created_at, did LIMIT ?
                """, r -> Sql.stringOf(r, "did"), host, Math.min(room, MAX_REACTIVATE));
        var out = new ArrayList<Account>(dids.size());
        for (var did : dids) {
            synchronized (stripe(did)) {
                var current = get(did);
                if (current.isEmpty() || current.get().localStatus() != LocalStatus.THROTTLED
                        || !host.equals(current.get().host())) {
                    continue; // changed since the query
                }
                if (!quota.admit(host)) {
                    break; // new accounts took the room meanwhile
                }
                out.add(writeLocalStatus(did, current, LocalStatus.ACTIVE));
            }
        }
        return out;
    }

    /** Writes the local status at once (an admin or limit decision); the caller holds the DID's stripe. */
    private Account writeLocalStatus(String did, Optional<Account> current, LocalStatus status) {
        var now = clock.instant();
        var next = current.map(a -> a.withLocalStatus(status, now))
                .orElseGet(() -> fresh(did, null).withLocalStatus(status, now));
        sql.call("set local status", ex -> ex.dml("""
                INSERT INTO account (did, host, local_status, upstream_status, discontinuities)
                VALUES (?, ?, ?, ?, ?)
                ON CONFLICT (did) DO UPDATE SET local_status = excluded.local_status, updated_at = now()
                """, did, next.host(), status.value(), next.upstreamStatus().value(), next.discontinuities()));
        cache.put(did, next);
        writes.pending().updateIfPresent(did, a -> a.withLocalStatus(status, now));
        return next;
    }

    @Override
    public List<Account> list(String afterDid, int limit) {
        return sql.list("list accounts", "SELECT " + COLUMNS + " FROM account WHERE did > ? ORDER BY did LIMIT ?",
                PgAccountStore::account, afterDid == null ? "" : afterDid, limit);
    }

    @Override
    public List<Account> listByLocalStatus(LocalStatus status, String afterDid, int limit) {
        return sql.list("list accounts by status",
                "SELECT " + COLUMNS + " FROM account WHERE local_status = ? AND did > ? ORDER BY did LIMIT ?",
                PgAccountStore::account, status.value(), afterDid == null ? "" : afterDid, limit);
    }

    private Account mutate(String did, UnaryOperator<Account> change, Supplier<Account> create) {
        synchronized (stripe(did)) {
            var current = get(did);
            var next = current.map(change).orElseGet(create);
            if (current.isPresent() && sameState(current.get(), next)) {
                return current.get();
            }
            cache.putQueued(did, next);
            return next;
        }
    }

    /** Equal but for the timestamps: nothing to write. */
    private static boolean sameState(Account a, Account b) {
        return java.util.Objects.equals(a.host(), b.host()) && a.localStatus() == b.localStatus()
                && a.upstreamStatus() == b.upstreamStatus() && a.discontinuities() == b.discontinuities();
    }

    private Account fresh(String did, String host) {
        var now = clock.instant();
        return new Account(did, host, LocalStatus.ACTIVE, UpstreamStatus.ACTIVE, 0, now, now);
    }

    private Object stripe(String did) {
        return stripes[(did.hashCode() & 0x7fffffff) % stripes.length];
    }

    private void writeBatch(List<Account> batch) {
        int n = batch.size();
        var dids = new String[n];
        var hosts = new String[n];
        var locals = new String[n];
        var upstreams = new String[n];
        var discontinuities = new long[n];
        for (int i = 0; i < n; i++) {
            var a = batch.get(i);
            dids[i] = a.did();
            hosts[i] = a.host();
            locals[i] = a.localStatus().value();
            upstreams[i] = a.upstreamStatus().value();
            discontinuities[i] = a.discontinuities();
        }
        sql.call("write accounts", ex -> ex.dml(UPSERT, dids, hosts, locals, upstreams, discontinuities));
    }

    static Account account(DbRow r) {
        return new Account(Sql.stringOf(r, "did"), Sql.stringOf(r, "host"),
                LocalStatus.of(Sql.stringOf(r, "local_status")), UpstreamStatus.of(Sql.stringOf(r, "upstream_status")),
                Sql.longOf(r, "discontinuities"), Sql.instantOf(r, "created_at"), Sql.instantOf(r, "updated_at"));
    }
}
