package dev.jlay.store;

import dev.jlay.testing.MigratedDatabase;
import org.junit.jupiter.api.extension.RegisterExtension;


/** The storage contract against a real PostgreSQL (own database, emptied before each test). */
class PostgresStorageContractTest extends StorageContract {
    @RegisterExtension
    static final MigratedDatabase DATABASE = new MigratedDatabase("contract");

    @Override
    protected Storage newStorage() {
        return DATABASE.emptied();
    }
}
