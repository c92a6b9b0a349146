package dev.jlay.store;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A PostgreSQL server started inside the relay's process tree (zonky's bundled
 * PostgreSQL 14 binaries), for {@code demo} and the developer default: no
 * database to install. The cluster lives under {@code dataDir/postgres} and is
 * kept between runs; the server listens on loopback on a free port.
 */
public final class EmbeddedDatabase implements AutoCloseable {
    private final EmbeddedPostgres postgres;

    private EmbeddedDatabase(EmbeddedPostgres postgres) {
        this.postgres = postgres;
    }

    /** Starts (creating on first use) the cluster under {@code dataDir}. */
    public static EmbeddedDatabase start(Path dataDir) {
        try {
            var clusterDir = dataDir.resolve("postgres");
            var binariesDir = dataDir.resolve("postgres-binaries");
            Files.createDirectories(clusterDir);
            Files.createDirectories(binariesDir);
            var pg = EmbeddedPostgres.builder()
                    .setDataDirectory(clusterDir)
                    .setCleanDataDirectory(false)
                    .setOverrideWorkingDirectory(binariesDir.toFile())
                    .setServerConfig("listen_addresses", "127.0.0.1")
                    .setRegisterShutdownHook(true)
                    .start();
            return new EmbeddedDatabase(pg);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start embedded PostgreSQL under " + dataDir, e);
        }
    }

    /** The JDBC URL of the {@code postgres} database as user {@code postgres}. */
    public String jdbcUrl() {
        return postgres.getJdbcUrl("postgres", "postgres");
    }

    public int port() {
        return postgres.getPort();
    }

    @Override
    public void close() {
        try {
            postgres.close();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot stop embedded PostgreSQL", e);
        }
    }
}
