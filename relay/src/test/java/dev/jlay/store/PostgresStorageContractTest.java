package dev.jlay.store;

import dev.jlay.testing.TestPostgres;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

import java.sql.DriverManager;
import java.sql.SQLException;

/** The storage contract against a real PostgreSQL (own database, emptied before each test). */
class PostgresStorageContractTest extends StorageContract {
    private static String url;

    @BeforeAll
    static void createDatabase() {
        url = TestPostgres.freshDatabase("contract");
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
        // Opened after the truncate so the ban mirror and caches start empty.
        return Database.open(url, 4);
    }
}
