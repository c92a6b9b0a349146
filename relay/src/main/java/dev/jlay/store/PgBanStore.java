package dev.jlay.store;

import java.util.List;
import java.util.Set;

/** Domain bans in PostgreSQL, mirrored in memory for the per-request check. */
final class PgBanStore implements BanStore {
    /** Bans are typed in by operators; the bound only guards the in-memory mirror. */
    static final int MAX_BANS = 100_000;

    private final Sql sql;
    private volatile Set<String> suffixes;

    PgBanStore(Sql sql) {
        this.sql = sql;
        this.suffixes = load();
    }

    @Override
    public boolean add(String suffix) {
        var s = BanStore.normalize(suffix);
        if (suffixes.size() >= MAX_BANS) {
            throw new StoreException("too many domain bans (" + MAX_BANS + ")");
        }
        long n = sql.call("add domain ban",
                ex -> ex.dml("INSERT INTO domain_ban (suffix) VALUES (?) ON CONFLICT DO NOTHING", s));
        suffixes = load();
        return n > 0;
    }

    @Override
    public boolean remove(String suffix) {
        var s = BanStore.normalize(suffix);
        long n = sql.call("remove domain ban", ex -> ex.dml("DELETE FROM domain_ban WHERE suffix = ?", s));
        suffixes = load();
        return n > 0;
    }

    @Override
    public List<String> list() {
        return suffixes.stream().sorted().toList();
    }

    @Override
    public boolean isBanned(String hostname) {
        return BanStore.matches(suffixes, hostname);
    }

    private Set<String> load() {
        return Set.copyOf(sql.list("load domain bans", "SELECT suffix FROM domain_ban",
                r -> Sql.stringOf(r, "suffix")));
    }
}
