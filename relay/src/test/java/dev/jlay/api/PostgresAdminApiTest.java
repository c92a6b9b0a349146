package dev.jlay.api;

import dev.jlay.store.Storage;
import dev.jlay.testing.MigratedDatabase;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The admin API on a real PostgreSQL (own database, emptied before each test). */
class PostgresAdminApiTest extends AdminApiContract {
    @RegisterExtension
    static final MigratedDatabase DATABASE = new MigratedDatabase("adminapi");

    @Override
    protected Storage newStorage() {
        return DATABASE.emptied();
    }
}
