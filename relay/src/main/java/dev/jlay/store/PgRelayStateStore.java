package dev.jlay.store;

import java.util.Optional;

/** relay_state key/values in PostgreSQL. */
final class PgRelayStateStore implements RelayStateStore {
    private final Sql sql;

    PgRelayStateStore(Sql sql) {
        this.sql = sql;
    }

    @Override
    public Optional<String> get(String key) {
        return sql.call("get relay state", ex -> ex.get("SELECT v FROM relay_state WHERE k = ?", key)
                .map(r -> Sql.stringOf(r, "v")));
    }

    @Override
    public void put(String key, String value) {
        sql.call("put relay state", ex -> ex.dml("""
                INSERT INTO relay_state (k, v) VALUES (?, ?)
                ON CONFLICT (k) DO UPDATE SET v = excluded.v, updated_at = now()
                """, key, value));
    }
}
