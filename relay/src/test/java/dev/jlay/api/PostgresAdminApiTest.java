package dev.jlay.api;

import dev.jlay.store.Database;
import dev.jlay.store.Storage;
import dev.jlay.testing.TestPostgres;
import java.sql.DriverManager;
import java.sql.SQLException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/** The admin API on a real PostgreSQL (own database, emptied before each test). */
class PostgresAdminApiTest extends AdminApiContract {
    private static String url;

    @BeforeAll
    static void createDatabase() {
        url = TestPostgres.freshDatabase("adminapi");
        Database.open(url, 2).close(); // migrate once
    }

    @AfterAll
    static void dropDatabase() {
        TestPostgres.dropDatabase(url);
    }

    @Override
    protected Storage newStorage() {
        try (var c = DriverManager.getConnection(url); var st = c.createStatement()) {
            st.execute("TRUNCATE host, account, account_repo, domain_ban, relay_state, admin_audit RESTART IDENTITY");
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
        return Database.open(url, 4);
    }
}
