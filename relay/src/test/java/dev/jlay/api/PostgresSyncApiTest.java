package dev.jlay.api;

import dev.jlay.store.Storage;
import dev.jlay.testing.TestPostgres;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/** The XRPC endpoints on a real PostgreSQL (own database, emptied before each test). */
class PostgresSyncApiTest extends SyncApiContract {
    private static String url;

    @BeforeAll
    static void createDatabase() {
        url = TestPostgres.migratedDatabase("syncapi");
    }

    @AfterAll
    static void dropDatabase() {
        TestPostgres.dropDatabase(url);
    }

    @Override
    protected Storage newStorage() {
        return TestPostgres.emptied(url);
    }
}
