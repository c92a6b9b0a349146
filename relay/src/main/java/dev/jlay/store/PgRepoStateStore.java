package dev.jlay.store;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.jlay.atproto.cid.Cid;

import java.util.List;
import java.util.Optional;

/** Repo state in PostgreSQL ({@code account_repo}) behind a bounded cache and a write-behind queue. */
final class PgRepoStateStore implements RepoStateStore {
    /** Rough heap cost of one cached or queued entry (DID, TID, two CIDs as strings). */
    static final long BYTES_PER_ENTRY = 400;

    private static final String UPSERT = """
            INSERT INTO account_repo (did, rev, commit_cid, data_cid, updated_at)
            SELECT u.did, u.rev, u.commit_cid, u.data_cid, now()
              FROM unnest(CAST(? AS text[]), CAST(? AS text[]), CAST(? AS text[]), CAST(? AS text[]))
                   AS u(did, rev, commit_cid, data_cid)
            ON CONFLICT (did) DO UPDATE
               SET rev = excluded.rev, commit_cid = excluded.commit_cid,
                   data_cid = excluded.data_cid, updated_at = excluded.updated_at
            """;

    private final Sql sql;
    private final Cache<String, Optional<RepoState>> cache;
    private final WriteBehind<String, RepoState> writes;

    PgRepoStateStore(Sql sql, int cacheSize, int pendingCapacity, Runnable onFull) {
        this.sql = sql;
        // Eviction runs on the caller thread, so the bound holds at every moment.
        this.cache = Caffeine.newBuilder().maximumSize(cacheSize).executor(Runnable::run).build();
        this.writes = new WriteBehind<>(new PendingWrites<>("store_repo_state_writes", pendingCapacity, onFull),
                this::writeBatch, BYTES_PER_ENTRY);
    }

    WriteBehind<String, RepoState> writes() {
        return writes;
    }

    Cache<String, Optional<RepoState>> cache() {
        return cache;
    }

    @Override
    public Optional<RepoState> get(String did) {
        var cached = cache.getIfPresent(did);
        if (cached != null) {
            return cached;
        }
        var queued = writes.pending().get(did);
        if (queued != null) {
            return Optional.of(queued);
        }
        var loaded = sql.call("load repo state", ex -> ex.get(
                        "SELECT did, rev, commit_cid, data_cid FROM account_repo WHERE did = ?", did)
                .map(r -> new RepoState(Sql.stringOf(r, "did"), Sql.stringOf(r, "rev"),
                        Cid.parse(Sql.stringOf(r, "commit_cid")), Cid.parse(Sql.stringOf(r, "data_cid")))));
        // A put may have raced the load: only fill the cache if nothing newer is there.
        cache.asMap().putIfAbsent(did, loaded);
        var now = cache.getIfPresent(did);
        return now != null ? now : loaded;
    }

    /** Accounts joined with their repo state, in DID order: one query for the page. */
    List<ListedRepo> listWithAccounts(String afterDid, int limit) {
        return sql.list("list repos", """
                SELECT a.did, a.host, a.local_status, a.upstream_status, a.discontinuities, a.created_at,
                       a.updated_at, r.rev, r.commit_cid, r.data_cid
                  FROM account a JOIN account_repo r ON r.did = a.did
                 WHERE a.did > ? ORDER BY a.did LIMIT ?
                """, r -> {
                    var account = PgAccountStore.account(r);
                    var repo = new RepoState(account.did(), Sql.stringOf(r, "rev"),
                            Cid.parse(Sql.stringOf(r, "commit_cid")), Cid.parse(Sql.stringOf(r, "data_cid")));
                    return new ListedRepo(account, repo);
                }, afterDid == null ? "" : afterDid, limit);
    }

    @Override
    public void put(RepoState state) {
        cache.put(state.did(), Optional.of(state));
        writes.pending().put(state.did(), state);
    }

    private void writeBatch(List<RepoState> batch) {
        int n = batch.size();
        var dids = new String[n];
        var revs = new String[n];
        var commits = new String[n];
        var datas = new String[n];
        for (int i = 0; i < n; i++) {
            var s = batch.get(i);
            dids[i] = s.did();
            revs[i] = s.rev();
            commits[i] = s.commit().toString();
            datas[i] = s.data().toString();
        }
        sql.call("write repo states", ex -> ex.dml(UPSERT, dids, revs, commits, datas));
    }
}
