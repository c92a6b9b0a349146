package dev.jlay.store;

import dev.jlay.testing.TestPostgres;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static dev.jlay.store.TestCids.cid;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * The database goes away in the middle of a run (pg_ctl stop on a private
 * cluster) and comes back: the store keeps serving reads, reports unhealthy,
 * holds writes (blocking callers once its queue is full), and writes every
 * queued change after the restart.
 */
class DatabaseOutageTest {
    private static TestPostgres.Cluster cluster;

    @BeforeAll
    static void startCluster() throws Exception {
        TestPostgres.serverUrl(); // same precondition as the other database tests
        cluster = TestPostgres.Cluster.create();
    }

    @AfterAll
    static void destroyCluster() {
        if (cluster != null) {
            cluster.close();
        }
    }

    @Test
    void outageLosesNothingQueued() throws Exception {
        var options = StoreOptions.defaults().withPoolSize(2).withPendingCapacity(500)
                .withIntervals(Duration.ofMillis(50), Duration.ofMillis(200), Duration.ofMillis(400));
        options = options.withConnectTimeout(Duration.ofMillis(500));
        var expectedRepos = new HashMap<String, String>();
        try (var db = Database.open(cluster.url(), options)) {
            db.hosts().register("outage.example.com", StorageContract.LIMITS, false);
            for (int i = 0; i < 300; i++) {
                put(db, expectedRepos, "did:plc:o" + i, "before" + i);
                db.accounts().ensure("did:plc:o" + i, "outage.example.com");
            }
            db.hosts().updateCursor("outage.example.com", 100);
            db.flush();

            cluster.stop();

            // Writes keep being accepted (overwriting some DIDs, adding others) while the database is gone.
            for (int i = 150; i < 450; i++) {
                put(db, expectedRepos, "did:plc:o" + i, "during" + i);
            }
            for (int i = 150; i < 300; i++) {
                db.accounts().recordDiscontinuity("did:plc:o" + i);
            }
            db.accounts().setUpstreamStatus("did:plc:o200", UpstreamStatus.SUSPENDED);
            db.hosts().updateCursor("outage.example.com", 250);
            await().atMost(Duration.ofSeconds(30)).until(() -> !db.health().healthy());
            assertThat(db.health().reason()).startsWith("database unavailable");
            assertThat(db.health().pendingWrites()).isPositive();
            // Reads of recent state still work from memory.
            assertThat(db.repoState().get("did:plc:o200")).get().extracting(RepoState::rev).isEqualTo("during200");
            // A cache miss cannot be answered without the database: a typed error, the caller decides.
            assertThatThrownBy(() -> db.accounts().get("did:plc:never-seen")).isInstanceOf(StoreException.class);
            // Immediate (admin) writes fail with a typed error rather than hanging or crashing.
            assertThatThrownBy(() -> db.bans().add("bad.example")).isInstanceOf(StoreException.class);

            // Filling the queue past its bound blocks the caller instead of dropping state.
            var filler = CompletableFuture.runAsync(() -> {
                for (int i = 1_000; i < 1_600; i++) {
                    db.repoState().put(new RepoState("did:plc:o" + i, "fill" + i, cid("c" + i), cid("d" + i)));
                }
            });
            Thread.sleep(1_500);
            assertThat(filler).as("put blocks while the queue is full and the database is down").isNotDone();

            cluster.start();

            filler.get(60, TimeUnit.SECONDS);
            for (int i = 1_000; i < 1_600; i++) {
                expectedRepos.put("did:plc:o" + i, "fill" + i + "|" + cid("c" + i) + "|" + cid("d" + i));
            }
            await().atMost(Duration.ofSeconds(30)).until(() -> db.health().healthy());
            db.flush();
            assertThat(db.health().pendingWrites()).isZero();
            assertThat(db.health().reason()).isEmpty();
        }

        // Everything queued during the outage is in the database.
        assertThat(repoRows(cluster.url())).isEqualTo(expectedRepos);
        try (var db = Database.open(cluster.url(), 2)) {
            assertThat(db.hosts().get("outage.example.com").orElseThrow().lastSeq()).isEqualTo(250);
            assertThat(db.hosts().get("outage.example.com").orElseThrow().accountCount()).isEqualTo(300);
            assertThat(db.accounts().get("did:plc:o200").orElseThrow().upstreamStatus())
                    .isEqualTo(UpstreamStatus.SUSPENDED);
            for (int i = 0; i < 300; i++) {
                assertThat(db.accounts().get("did:plc:o" + i).orElseThrow().discontinuities())
                        .isEqualTo(i >= 150 ? 1 : 0);
            }
        }
    }

    @Test
    void openWaitsForADatabaseThatStartsLater() throws Exception {
        cluster.stop();
        var opening = CompletableFuture.supplyAsync(() -> Database.openWaiting(cluster.url(),
                StoreOptions.defaults().withPoolSize(2).withIntervals(Duration.ofMillis(200), Duration.ofSeconds(1),
                        Duration.ofSeconds(1)), Duration.ofSeconds(120)));
        Thread.sleep(1_500);
        assertThat(opening).as("still waiting while the database is down").isNotDone();
        cluster.start();
        try (var db = opening.get(120, TimeUnit.SECONDS)) {
            db.relayState().put("late", "yes");
            assertThat(db.relayState().get("late")).contains("yes");
            assertThat(db.health().healthy()).isTrue();
        }
    }

    private static void put(Database db, Map<String, String> expected, String did, String rev) {
        db.repoState().put(new RepoState(did, rev, cid("c-" + rev), cid("d-" + rev)));
        expected.put(did, rev + "|" + cid("c-" + rev) + "|" + cid("d-" + rev));
    }

    private static Map<String, String> repoRows(String url) throws SQLException {
        var rows = new HashMap<String, String>();
        try (var c = DriverManager.getConnection(url); var st = c.createStatement();
             var rs = st.executeQuery("SELECT did, rev, commit_cid, data_cid FROM account_repo")) {
            while (rs.next()) {
                rows.put(rs.getString(1), rs.getString(2) + "|" + rs.getString(3) + "|" + rs.getString(4));
            }
        }
        return rows;
    }
}
