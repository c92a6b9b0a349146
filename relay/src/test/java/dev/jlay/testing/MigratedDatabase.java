package dev.jlay.testing;

import dev.jlay.store.Database;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * A test class's own migrated database on the suite's PostgreSQL, made before its first test and
 * dropped after its last: {@code @RegisterExtension static final MigratedDatabase DATABASE = ...}.
 */
public final class MigratedDatabase implements BeforeAllCallback, AfterAllCallback {
    private final String label;
    private volatile String url;

    public MigratedDatabase(String label) {
        this.label = label;
    }

    @Override
    public void beforeAll(ExtensionContext context) {
        url = TestPostgres.migratedDatabase(label);
    }

    @Override
    public void afterAll(ExtensionContext context) {
        TestPostgres.dropDatabase(url);
    }

    /** Its JDBC URL, for a test that writes rows the store has no method for (e.g. 10,000 hosts at once). */
    public String url() {
        return url;
    }

    /** The database emptied of every row, as a fresh store. */
    public Database emptied() {
        return TestPostgres.emptied(url);
    }
}
