package dev.jlay.store;

import dev.jlay.testing.TestPostgres;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;


/** The storage contract against a real PostgreSQL (own database, emptied before each test). */
class PostgresStorageContractTest extends StorageContract {
    private static String url;

    @BeforeAll
    static void createDatabase() {
        url = TestPostgres.migratedDatabase("contract");
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
