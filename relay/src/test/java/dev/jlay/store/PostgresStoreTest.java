package dev.jlay.store;

import dev.jlay.metrics.MetricRegistry;
import dev.jlay.memory.Stage;
import dev.jlay.testing.TestPostgres;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;

import static dev.jlay.store.TestCids.cid;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** PostgreSQL specifics: migrations, write batching, persistence across restarts, bounded caches. */
class PostgresStoreTest {
    private static final Duration NEVER = Duration.ofHours(1);
    private static String url;

    @BeforeAll
    static void createDatabase() {
        url = TestPostgres.freshDatabase("store");
    }

    @AfterAll
    static void dropDatabase() {
        TestPostgres.dropDatabase(url);
    }

    /** Writes only on flush() or close(): the background writer never fires during a test. */
    private static StoreOptions manualFlush() {
        return StoreOptions.defaults().withPoolSize(2).withIntervals(NEVER, NEVER, Duration.ofSeconds(1));
    }

    private static Map<String, String> repoRows(String didPrefix) throws SQLException {
        var rows = new HashMap<String, String>();
        try (var c = DriverManager.getConnection(url);
             var st = c.prepareStatement("SELECT did, rev, commit_cid, data_cid FROM account_repo WHERE did LIKE ?")) {
            st.setString(1, didPrefix + "%");
            try (var rs = st.executeQuery()) {
                while (rs.next()) {
                    rows.put(rs.getString(1), rs.getString(2) + "|" + rs.getString(3) + "|" + rs.getString(4));
                }
            }
        }
        return rows;
    }

    private static long scalar(String sql) throws SQLException {
        try (var c = DriverManager.getConnection(url); var st = c.createStatement(); var rs = st.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    @Test
    void migrationsCreateTheSchemaOnceAndAreIdempotent() throws SQLException {
        Database.open(url, 2).close();
        Database.open(url, 2).close();
        assertThat(scalar("SELECT count(*) FROM flyway_schema_history WHERE success AND version = '1'"))
                .isEqualTo(1);
        assertThat(scalar("SELECT count(*) FROM flyway_schema_history WHERE NOT success")).isZero();
        for (var table : List.of("host", "account", "account_repo", "domain_ban", "relay_state", "admin_audit")) {
            assertThat(scalar("SELECT count(*) FROM information_schema.tables WHERE table_schema = 'public' "
                    + "AND table_name = '" + table + "'")).as(table).isEqualTo(1);
        }
    }

    @Test
    void constraintsRejectNonsense() {
        try (var c = DriverManager.getConnection(url); var st = c.createStatement()) {
            Database.open(url, 2).close();
            assertThat(rejected(st, "INSERT INTO account (did) VALUES ('not-a-did')")).isTrue();
            assertThat(rejected(st, "INSERT INTO account (did, local_status) VALUES ('did:plc:q', 'gone')")).isTrue();
            assertThat(rejected(st, "INSERT INTO host (hostname, status, account_limit, events_per_second, "
                    + "events_per_hour, events_per_day) VALUES ('x.example', 'weird', 1, 1, 1, 1)")).isTrue();
            assertThat(rejected(st, "INSERT INTO domain_ban (suffix) VALUES ('.Bad.Example')")).isTrue();
        } catch (SQLException e) {
            throw new AssertionError(e);
        }
    }

    private static boolean rejected(java.sql.Statement st, String sql) {
        try {
            st.execute(sql);
            return false;
        } catch (SQLException e) {
            return e.getSQLState().startsWith("23");
        }
    }

    @Test
    void writesReachTheDatabaseOnlyInBatchesAndLastWriteWins() throws SQLException {
        try (var db = Database.open(url, manualFlush())) {
            var random = new Random(7);
            var expected = new HashMap<String, String>();
            for (int i = 0; i < 5_000; i++) {
                var did = "did:plc:batch" + random.nextInt(300);
                var s = new RepoState(did, "rev" + i, cid("commit" + i), cid("data" + random.nextInt(1000)));
                db.repoState().put(s);
                expected.put(did, s.rev() + "|" + s.commit() + "|" + s.data());
            }
            assertThat(repoRows("did:plc:batch")).as("nothing written before the flush").isEmpty();
            assertThat(db.health().pendingWrites()).isEqualTo(expected.size());
            db.flush();
            assertThat(repoRows("did:plc:batch")).isEqualTo(expected);
            assertThat(db.health().pendingWrites()).isZero();
        }
    }

    @Test
    void backgroundWriterFlushesByItselfAndKeepsPerDidOrder() throws Exception {
        var options = StoreOptions.defaults().withPoolSize(2)
                .withIntervals(Duration.ofMillis(20), Duration.ofMillis(50), Duration.ofSeconds(1));
        var expected = new ConcurrentHashMap<String, String>();
        try (var db = Database.open(url, options)) {
            // Four writers, each owning its own DIDs (as the pipeline's workers do), racing the writer thread.
            try (var pool = Executors.newFixedThreadPool(4)) {
                for (int w = 0; w < 4; w++) {
                    int worker = w;
                    pool.submit(() -> {
                        var random = new Random(worker);
                        for (int i = 0; i < 3_000; i++) {
                            var did = "did:plc:bg" + worker + "x" + random.nextInt(100);
                            var s = new RepoState(did, "r" + i, cid("c" + i), cid("d" + i));
                            db.repoState().put(s);
                            expected.put(did, s.rev() + "|" + s.commit() + "|" + s.data());
                        }
                    });
                }
            }
            await().atMost(Duration.ofSeconds(30))
                    .untilAsserted(() -> assertThat(repoRows("did:plc:bg")).isEqualTo(expected));
        }
    }

    @Test
    void stateSurvivesARestart() {
        try (var db = Database.open(url, manualFlush())) {
            db.hosts().register("restart.example.com", StorageContract.LIMITS, false);
            db.hosts().updateCursor("restart.example.com", 12345);
            db.accounts().ensure("did:plc:restart", "restart.example.com");
            db.accounts().recordDiscontinuity("did:plc:restart");
            db.repoState().put(new RepoState("did:plc:restart", "3kz", cid("bafycommit"), cid("bafydata")));
            // no flush: close() must write what is queued
        }
        try (var db = Database.open(url, manualFlush())) {
            assertThat(db.hosts().get("restart.example.com").orElseThrow().lastSeq()).isEqualTo(12345);
            var a = db.accounts().get("did:plc:restart").orElseThrow();
            assertThat(a.discontinuities()).isEqualTo(1);
            assertThat(a.host()).isEqualTo("restart.example.com");
            assertThat(db.hosts().get("restart.example.com").orElseThrow().accountCount()).isEqualTo(1);
            assertThat(db.repoState().get("did:plc:restart"))
                    .contains(new RepoState("did:plc:restart", "3kz", cid("bafycommit"), cid("bafydata")));
        }
    }

    @Test
    void cursorsWaitForTheirOwnInterval() throws SQLException {
        var options = StoreOptions.defaults().withPoolSize(2)
                .withIntervals(Duration.ofMillis(20), Duration.ofMillis(300), Duration.ofSeconds(1));
        try (var db = Database.open(url, options)) {
            db.hosts().register("cursor.example.com", StorageContract.LIMITS, false);
            db.hosts().updateCursor("cursor.example.com", 777);
            await().atMost(Duration.ofSeconds(20)).until(
                    () -> scalar("SELECT last_seq FROM host WHERE hostname = 'cursor.example.com'") == 777);
        }
    }

    @Test
    void cachesAreBoundedAndEvictionLosesNothing() {
        var options = manualFlush().withCacheSizes(100, 100);
        try (var db = Database.open(url, options)) {
            for (int i = 0; i < 1_000; i++) {
                db.repoState().put(new RepoState("did:plc:evict" + i, "r" + i, cid("c" + i), cid("d" + i)));
                db.accounts().ensure("did:plc:evict" + i, "evict.example.com");
            }
            // Evicted but not yet written: served from the write queue.
            for (int i = 0; i < 1_000; i++) {
                assertThat(db.repoState().get("did:plc:evict" + i)).get()
                        .extracting(RepoState::rev).isEqualTo("r" + i);
            }
            db.flush();
            // Evicted and written: served from the database.
            for (int i = 0; i < 1_000; i++) {
                assertThat(db.repoState().get("did:plc:evict" + i)).get()
                        .extracting(RepoState::rev).isEqualTo("r" + i);
                assertThat(db.accounts().get("did:plc:evict" + i)).get()
                        .extracting(Account::host).isEqualTo("evict.example.com");
            }
            var caches = db.buffers().stream().filter(b -> b.bufferName().endsWith("_cache")).toList();
            assertThat(caches).hasSize(2).allSatisfy(b -> {
                assertThat(b.capacity()).isEqualTo(100);
                assertThat(b.entries()).isLessThanOrEqualTo(100);
            });
        }
    }

    @Test
    void metricsShowBuffersHealthAndTheDbStage() {
        var metrics = new MetricRegistry();
        var options = StoreOptions.defaults().withPoolSize(2)
                .withIntervals(Duration.ofMillis(20), Duration.ofMillis(50), Duration.ofSeconds(1));
        try (var db = Database.open(url, options)) {
            db.hosts().register("metrics-active.example.com", StorageContract.LIMITS, false);
            db.hosts().register("metrics-banned.example.com", StorageContract.LIMITS, false);
            db.hosts().setStatus("metrics-banned.example.com", HostStatus.BANNED);
            db.registerMetrics(metrics);
            for (int i = 0; i < 100; i++) {
                db.repoState().put(new RepoState("did:plc:metrics" + i, "r", cid("c" + i), cid("d" + i)));
            }
            await().atMost(Duration.ofSeconds(20)).until(() -> metrics.stage(Stage.DB).events() >= 100);
            // the host counts are asked in the background; each row's statement now meters on its own,
            // so the rows can be counted before the first answer is in
            await().atMost(Duration.ofSeconds(20)).until(() -> metrics.render()
                    .matches("(?s).*relay_upstream_hosts\\{status=\"banned\"} [1-9].*"));
            var text = metrics.render();
            assertThat(text)
                    .contains("relay_buffer_capacity{buffer=\"store_repo_state_writes\"} 50000")
                    .contains("relay_buffer_entries{buffer=\"store_account_cache\"}")
                    .doesNotContain("relay_store_database_up")
                    .contains("relay_database_up 1\n")
                    .containsPattern("relay_upstream_hosts\\{status=\"active\"} [1-9]")
                    .containsPattern("relay_upstream_hosts\\{status=\"banned\"} [1-9]")
                    .contains("relay_upstream_hosts{status=\"throttled\"}")
                    .containsPattern("relay_store_rows_written_total [1-9]");
            assertThat(metrics.stage(Stage.DB).nanos()).isPositive();
        }
    }
}
