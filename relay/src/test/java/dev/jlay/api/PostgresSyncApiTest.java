package dev.jlay.api;

import dev.jlay.store.Storage;
import dev.jlay.testing.MigratedDatabase;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The XRPC endpoints on a real PostgreSQL (own database, emptied before each test). */
class PostgresSyncApiTest extends SyncApiContract {
    @RegisterExtension
    static final MigratedDatabase DATABASE = new MigratedDatabase("syncapi");

    @Override
    protected Storage newStorage() {
        return DATABASE.emptied();
    }
}
