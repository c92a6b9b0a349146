package dev.jlay.testing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.Locale;
import java.util.concurrent.ThreadLocalRandom;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.fail;

/**
 * The real PostgreSQL the integration tests run against. {@code scripts/test}
 * starts one and exports {@code JLAY_TEST_DATABASE_URL}; without it these tests
 * FAIL (they do not skip), saying how to start one.
 */
public final class TestPostgres {
    public static final String ENV = "JLAY_TEST_DATABASE_URL";
    private static final Pattern URL = Pattern.compile("^(jdbc:postgresql://[^/]+/)([^?]*)(.*)$");

    private TestPostgres() {
    }

    /** The server's JDBC URL (database {@code postgres}). */
    public static String serverUrl() {
        var url = System.getenv(ENV);
        if (url == null || url.isBlank()) {
            fail(ENV + " is not set: this test needs a real PostgreSQL. Run the suite with scripts/test "
                    + "(it starts one), or start one yourself: `scripts/dev-postgres start` and "
                    + "`export " + ENV + "=$(scripts/dev-postgres url)`, then run mvn.");
        }
        return url;
    }

    /** A new empty database on the test server, for one test class; returns its JDBC URL. */
    public static String freshDatabase(String label) {
        var server = serverUrl();
        var m = URL.matcher(server);
        if (!m.matches()) {
            fail(ENV + " is not a jdbc:postgresql:// URL: " + server);
        }
        var name = ("jlay_" + label + "_" + Long.toHexString(ThreadLocalRandom.current().nextLong()))
                .toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9_]", "_");
        try (var c = DriverManager.getConnection(server); var st = c.createStatement()) {
            st.execute("CREATE DATABASE " + name);
        } catch (SQLException e) {
            fail("cannot create test database on " + server + ": " + e.getMessage());
        }
        return m.group(1) + name + m.group(3);
    }

    /** A fresh database with the relay's schema migrated, for a test class to empty and reuse. */
    public static String migratedDatabase(String label) {
        var url = freshDatabase(label);
        dev.jlay.store.Database.open(url, 2).close();
        return url;
    }

    /**
     * Empties every table of a {@link #migratedDatabase} and opens it; opened after the truncate, so
     * the store's caches and ban mirror start empty.
     */
    public static dev.jlay.store.Database emptied(String url) {
        try (var c = DriverManager.getConnection(url); var st = c.createStatement()) {
            st.execute("TRUNCATE host, account, account_repo, domain_ban, relay_state, admin_audit RESTART IDENTITY");
        } catch (SQLException e) {
            fail("cannot empty " + url + ": " + e.getMessage());
        }
        return dev.jlay.store.Database.open(url, 4);
    }

    /** Drops a database made by {@link #freshDatabase}. */
    public static void dropDatabase(String url) {
        var m = URL.matcher(url);
        if (!m.matches()) {
            return;
        }
        try (var c = DriverManager.getConnection(serverUrl()); var st = c.createStatement()) {
            st.execute("DROP DATABASE IF EXISTS " + m.group(2) + " WITH (FORCE)");
        } catch (SQLException e) {
            // best effort: the whole test cluster is thrown away by scripts/test
        }
    }

    /**
     * A private PostgreSQL cluster (via {@code scripts/dev-postgres}) that a test
     * may stop and start, e.g. to simulate an outage, without disturbing others.
     */
    public static final class Cluster implements AutoCloseable {
        private final Path dir;
        private final Path script;
        private String url;

        private Cluster(Path dir, Path script) {
            this.dir = dir;
            this.script = script;
        }

        public static Cluster create() throws IOException {
            var script = findScript();
            var dir = Files.createTempDirectory(Path.of("/tmp"), "jlay-test-cluster-");
            var cluster = new Cluster(dir, script);
            cluster.url = cluster.run("start");
            return cluster;
        }

        public String url() {
            return url;
        }

        public void stop() {
            run("stop");
        }

        /** Starts again on the same port (the same URL). */
        public void start() {
            var again = run("start");
            if (!again.equals(url)) {
                fail("restarted cluster came back on another URL: " + again + " (was " + url + ")");
            }
        }

        @Override
        public void close() {
            run("destroy");
        }

        private String run(String command) {
            return ScriptCommand.run(script, command, dir, 60);
        }

        private static Path findScript() {
            for (var base = Path.of("").toAbsolutePath(); base != null; base = base.getParent()) {
                var s = base.resolve("scripts/dev-postgres");
                if (Files.isExecutable(s)) {
                    return s;
                }
            }
            return fail("scripts/dev-postgres not found from " + Path.of("").toAbsolutePath());
        }
    }
}
