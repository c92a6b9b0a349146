package dev.jlay.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.jlay.testing.TestPostgres;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Every pooled connection carries a statement timeout and a socket timeout: no call waits forever. */
class DatabaseTimeoutTest {
    private static String url;

    @BeforeAll
    static void database() {
        url = TestPostgres.freshDatabase("timeouts");
    }

    @AfterAll
    static void drop() {
        TestPostgres.dropDatabase(url);
    }

    private static StoreOptions options(Duration statement, Duration socket) {
        return StoreOptions.defaults().withPoolSize(2)
                .withTimeouts(Duration.ofSeconds(2), statement, socket);
    }

    @Test
    void aStatementLongerThanTheStatementTimeoutFailsFastAndTyped() {
        try (var db = Database.open(url, options(Duration.ofMillis(300), Duration.ofSeconds(5)))) {
            long start = System.nanoTime();
            assertThatThrownBy(() -> db.sql().call("sleep", ex -> ex.get("SELECT pg_sleep(10) AS s")))
                    .isInstanceOfSatisfying(StoreTimeoutException.class, e -> assertThat(e.unavailable())
                            .as("the server cancelled it; the database is there").isFalse())
                    .hasMessageContaining("statement timeout");
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(3));
            assertThat(db.health().healthy()).isTrue();
            db.sql().ping(); // the connection survived the cancel
            String setting = db.sql().call("timeout", ex -> Sql.stringOf(ex.get("SHOW statement_timeout")
                    .orElseThrow(), "statement_timeout"));
            assertThat(setting).isEqualTo("300ms");
        }
    }

    @Test
    void aSilentConnectionIsCutByTheSocketTimeout() {
        try (var db = Database.open(url, options(Duration.ofMillis(500), Duration.ofSeconds(1)))) {
            long start = System.nanoTime();
            // the server sleeps without a statement timeout: only the socket timeout ends the wait
            assertThatThrownBy(() -> db.sql().transaction("silent", tx -> {
                tx.dml("SET LOCAL statement_timeout = 0");
                tx.get("SELECT pg_sleep(10) AS s");
            })).isInstanceOfSatisfying(StoreTimeoutException.class, e -> assertThat(e.unavailable()).isTrue());
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(5));
            db.sql().ping(); // the pool replaced the broken connection
            assertThat(db.health().healthy()).isTrue();
        }
    }
}
