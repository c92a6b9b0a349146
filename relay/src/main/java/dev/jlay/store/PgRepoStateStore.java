package dev.jlay.store;

import dev.jlay.atproto.cid.Cid;
import io.helidon.dbclient.DbRow;

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
    private final ReadThroughCache<String, RepoState> cache;
    private final WriteBehind<String, RepoState> writes;

    PgRepoStateStore(Sql sql, int cacheSize, int pendingCapacity, Runnable onFull) {
        this.sql = sql;
        this.writes = new WriteBehind<>(new PendingWrites<>("store_repo_state_writes", pendingCapacity, onFull),
                this::writeBatch, BYTES_PER_ENTRY);
        this.cache = new ReadThroughCache<>("store_repo_state_cache", cacheSize, BYTES_PER_ENTRY, writes.pending(),
                did -> sql.call("load repo state", ex -> ex.get(
                                "SELECT did, rev, commit_cid, data_cid FROM account_repo WHERE did = ?", did)
                        .map(r -> repoState(did, r))));
    }

    WriteBehind<String, RepoState> writes() {
        return writes;
    }

    ReadThroughCache<String, RepoState> cache() {
        return cache;
    }

    @Override
    public Optional<RepoState> get(String did) {
        return cache.get(did);
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
                    return new ListedRepo(account, repoState(account.did(), r));
                }, afterDid == null ? "" : afterDid, limit);
    }

    @Override
    public void put(RepoState state) {
        cache.putQueued(state.did(), state);
    }

    private static RepoState repoState(String did, DbRow r) {
        return new RepoState(did, Sql.stringOf(r, "rev"), Cid.parse(Sql.stringOf(r, "commit_cid")),
                Cid.parse(Sql.stringOf(r, "data_cid")));
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
