package dev.jlay.store;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/** The embedded PostgreSQL of `demo` starts, Flyway migrates it, and its data outlives a restart. */
class EmbeddedDatabaseTest {
    @Test
    void startsMigratesAndKeepsData(@TempDir Path dataDir) {
        try (var pg = EmbeddedDatabase.start(dataDir); var db = Database.open(pg.jdbcUrl(), 2)) {
            assertThat(pg.jdbcUrl()).startsWith("jdbc:postgresql://");
            assertThat(pg.port()).isPositive();
            db.hosts().register("embedded.example.com", StorageContract.LIMITS, true);
            db.relayState().put("hello", "world");
        }
        assertThat(Files.isDirectory(dataDir.resolve("postgres"))).isTrue();
        // openEmbedded: the same cluster, and closing the database stops the server.
        try (var db = Database.openEmbedded(dataDir, StoreOptions.defaults().withPoolSize(2))) {
            assertThat(db.relayState().get("hello")).contains("world");
            assertThat(db.hosts().get("embedded.example.com").orElseThrow().trusted()).isTrue();
        }
    }
}
