package dev.jlay.store;

import io.helidon.dbclient.DbClient;
import io.helidon.dbclient.DbExecute;
import io.helidon.dbclient.DbRow;
import io.helidon.dbclient.DbTransaction;

import java.sql.SQLException;
import java.sql.SQLTransientConnectionException;
import java.sql.Timestamp;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.stream.Stream;

/**
 * The Helidon DB client with the store's error handling: failures become
 * {@link StoreException}, and connection failures mark the database unhealthy.
 */
final class Sql {
    private final DbClient db;
    private final DatabaseHealth health;

    Sql(DbClient db, DatabaseHealth health) {
        this.db = db;
        this.health = health;
    }

    <T> T call(String what, Function<DbExecute, T> fn) {
        try {
            T result = fn.apply(db.execute());
            health.up();
            return result;
        } catch (RuntimeException e) {
            throw failure(what, e);
        }
    }

    <T> List<T> list(String what, String sql, Function<DbRow, T> mapper, Object... params) {
        return call(what, ex -> {
            try (Stream<DbRow> rows = ex.query(sql, params)) {
                return rows.map(mapper).toList();
            }
        });
    }

    /** Runs {@code body} in one transaction; rolls back and rethrows on failure. */
    void transaction(String what, Consumer<DbTransaction> body) {
        DbTransaction tx;
        try {
            tx = db.transaction();
        } catch (RuntimeException e) {
            throw failure(what, e);
        }
        try {
            body.accept(tx);
            tx.commit();
            health.up();
        } catch (RuntimeException e) {
            try {
                tx.rollback();
            } catch (RuntimeException suppressed) {
                e.addSuppressed(suppressed);
            }
            throw failure(what, e);
        }
    }

    void ping() {
        call("ping", ex -> ex.get("SELECT 1 AS one").orElseThrow());
    }

    private StoreException failure(String what, RuntimeException e) {
        if (isConnectionProblem(e)) {
            health.down(e);
        } else {
            health.up();
        }
        var message = what + " failed: " + rootMessage(e);
        return isTimeout(e) ? new StoreTimeoutException(message, e) : new StoreException(message, e);
    }

    /** SQLState of a statement PostgreSQL cancelled (here: because statement_timeout ran out). */
    private static final String QUERY_CANCELED = "57014";

    /** The statement timeout or the socket timeout ran out. */
    static boolean isTimeout(Throwable e) {
        for (var t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof java.net.SocketTimeoutException || t instanceof java.sql.SQLTimeoutException) {
                return true;
            }
            if (t instanceof SQLException sql && QUERY_CANCELED.equals(sql.getSQLState())) {
                return true;
            }
        }
        return false;
    }

    /** Connection refused, broken or timed out, or the server shutting down: the database is not there. */
    static boolean isConnectionProblem(Throwable e) {
        for (var t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof SQLTransientConnectionException) {
                return true;
            }
            if (t instanceof SQLException sql && sql.getSQLState() != null) {
                var state = sql.getSQLState();
                if (state.startsWith("08") || state.startsWith("57P")) {
                    return true;
                }
            }
        }
        return false;
    }

    private static String rootMessage(Throwable e) {
        var t = e;
        while (t.getCause() != null && t.getCause() != t) {
            t = t.getCause();
        }
        return String.valueOf(t.getMessage());
    }

    static long longOf(DbRow row, String column) {
        return ((Number) row.column(column).get()).longValue();
    }

    static String stringOf(DbRow row, String column) {
        // asOptional: get() throws on SQL NULL (e.g. an account whose host is not known yet)
        return row.column(column).asOptional().map(Object::toString).orElse(null);
    }

    static boolean boolOf(DbRow row, String column) {
        return (Boolean) row.column(column).get();
    }

    static Instant instantOf(DbRow row, String column) {
        return switch (row.column(column).asOptional().orElse(null)) {
            case null -> null;
            case Timestamp ts -> ts.toInstant();
            case OffsetDateTime odt -> odt.toInstant();
            case Instant i -> i;
            case Object other -> throw new StoreException("unexpected timestamp type " + other.getClass());
        };
    }
}
