package dev.jlay.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.jlay.downstream.ConsumerSnapshot;
import dev.jlay.store.Database;
import dev.jlay.store.HostLimits;
import dev.jlay.store.HostStatus;
import dev.jlay.store.InMemoryStorage;
import dev.jlay.store.Storage;
import dev.jlay.store.StoreOptions;
import dev.jlay.testing.TestPostgres;
import io.helidon.webserver.WebServer;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * /_health follows the database (a real PostgreSQL that is stopped and started again), and the
 * status page at / renders over a real HTTP GET ({@code StatusPageInChromiumTest} renders it in a browser).
 */
class HealthAndStatusPageTest {
    private static final HostLimits LIMITS = new HostLimits(1000, 50, 1000, 10000);

    private static WebServer serve(Storage storage, long seq, List<ConsumerSnapshot> consumers) {
        var routing = Routes.partial(List.of(new Health(storage::health),
                new StatusPage(storage, () -> seq, () -> consumers, dev.jlay.memory.MemoryAccountant.create()::report)))
                .http(Routes.Port.API);
        return WebServer.builder().host("127.0.0.1").port(0).addRouting(routing).shutdownHook(false).build().start();
    }

    @Test
    void healthIs503WithTheReasonWhileTheDatabaseIsDownAnd200WhenItIsBack() throws Exception {
        var options = StoreOptions.defaults().withPoolSize(2)
                .withIntervals(Duration.ofMillis(50), Duration.ofMillis(200), Duration.ofMillis(400));
        options = options.withConnectTimeout(Duration.ofMillis(300));
        try (var cluster = TestPostgres.Cluster.create(); var db = Database.open(cluster.url(), options)) {
            db.hosts().register("pds.example.com", LIMITS, false);
            var server = serve(db, 5, List.of());
            try {
                var http = new Http(server.port());
                var ok = http.get("/_health");
                assertThat(ok.status()).isEqualTo(200);
                assertThat(ok.body()).isEqualTo("{\"status\":\"ok\"}");

                cluster.stop();
                await().atMost(Duration.ofSeconds(30)).until(() -> http.get("/_health").status() == 503);
                var down = http.get("/_health");
                assertThat(down.json().get("status").asText()).isEqualTo("unhealthy");
                assertThat(down.json().get("reason").asText()).startsWith("database unavailable");
                var page = http.get("/");
                assertThat(page.status()).isEqualTo(200);
                assertThat(page.body()).contains("<strong id=\"database\">unavailable</strong>");

                cluster.start();
                await().atMost(Duration.ofSeconds(30)).until(() -> http.get("/_health").status() == 200);
                assertThat(http.get("/").body()).contains("<strong id=\"database\">ok</strong>", "pds.example.com");
            } finally {
                server.stop();
            }
        }
    }

    @Test
    void statusPageShowsSeqHostsAndConsumersEscaped() throws Exception {
        var storage = new InMemoryStorage();
        storage.hosts().register("pds.example.com", LIMITS, false);
        storage.hosts().register("b.example.com", LIMITS, false);
        storage.hosts().setStatus("b.example.com", HostStatus.OFFLINE);
        storage.hosts().updateCursor("pds.example.com", 99);
        var consumers = List.of(new ConsumerSnapshot(1, "127.0.0.1:4000", "<script>alert(1)</script>",
                Instant.now(), null, 40, 2, 40));
        var server = serve(storage, 42, consumers);
        try {
            var page = new Http(server.port()).get("/");
            assertThat(page.status()).isEqualTo(200);
            assertThat(page.raw().headers().firstValue("content-type")).hasValueSatisfying(
                    v -> assertThat(v).startsWith("text/html"));
            assertThat(page.body())
                    .startsWith("<!doctype html>")
                    .contains("<strong id=\"seq\">42</strong>")
                    .contains("<td>pds.example.com</td><td>active</td><td></td><td>99</td>")
                    .contains("<td>b.example.com</td><td>offline</td>")
                    .contains("<span id=\"consumer-count\">1</span>")
                    .contains("&lt;script&gt;alert(1)&lt;/script&gt;")
                    .doesNotContain("<script>");
        } finally {
            server.stop();
            storage.close();
        }
    }

    /** A clock the test moves. */
    private static final class TestClock extends java.time.Clock {
        volatile Instant now = Instant.parse("2026-11-26T10:00:00Z");

        @Override
        public java.time.ZoneId getZone() {
            return java.time.ZoneOffset.UTC;
        }

        @Override
        public java.time.Clock withZone(java.time.ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now;
        }
    }

    @Test
    void healthIs503WhenHostsAreConnectedButNoEventWasPersistedWithinTheWindow() throws Exception {
        var storage = new InMemoryStorage();
        var clock = new TestClock();
        var flow = new java.util.concurrent.atomic.AtomicReference<>(Health.Flow.NONE);
        var routing = Routes.partial(List.of(new Health(storage::health, flow::get, Duration.ofMinutes(5), clock)))
                .http(Routes.Port.API);
        var server = WebServer.builder().host("127.0.0.1").port(0).addRouting(routing).shutdownHook(false).build()
                .start();
        try {
            var http = new Http(server.port());
            var t0 = clock.now;
            // no host connected: idle, not broken, however old the last event
            flow.set(new Health.Flow(0, null, t0.minus(Duration.ofDays(2))));
            assertThat(http.get("/_health").status()).isEqualTo(200);

            // a host connected a minute ago with an old log: it gets one window for its first event
            flow.set(new Health.Flow(1, t0.minus(Duration.ofMinutes(1)), t0.minus(Duration.ofDays(2))));
            assertThat(http.get("/_health").status()).isEqualTo(200);

            // ten minutes connected, last event six minutes ago: stale
            flow.set(new Health.Flow(2, t0.minus(Duration.ofMinutes(10)), t0.minus(Duration.ofMinutes(6))));
            var stale = http.get("/_health");
            assertThat(stale.status()).isEqualTo(503);
            assertThat(stale.json().get("status").asText()).isEqualTo("unhealthy");
            assertThat(stale.json().get("reason").asText())
                    .isEqualTo("no events persisted for 300 s while 2 hosts are connected");
            assertThat(stale.json().get("lastEvent").asText()).isEqualTo(t0.minus(Duration.ofMinutes(6)).toString());

            // an empty log counts as no event
            flow.set(new Health.Flow(1, t0.minus(Duration.ofMinutes(10)), null));
            assertThat(http.get("/_health").status()).isEqualTo(503);

            // an event four minutes ago: fresh; and stale again once the clock passes the window
            flow.set(new Health.Flow(1, t0.minus(Duration.ofMinutes(10)), t0.minus(Duration.ofMinutes(4))));
            assertThat(http.get("/_health").body()).isEqualTo("{\"status\":\"ok\"}");
            clock.now = t0.plus(Duration.ofMinutes(2));
            assertThat(http.get("/_health").json().get("reason").asText()).contains("1 host is connected");
        } finally {
            server.stop();
            storage.close();
        }
    }

    @Test
    void aZeroWindowJudgesTheDatabaseOnly() throws Exception {
        var storage = new InMemoryStorage();
        var clock = new TestClock();
        var routing = Routes.partial(List.of(new Health(storage::health,
                () -> new Health.Flow(3, clock.now.minus(Duration.ofDays(1)), null), Duration.ZERO, clock)))
                .http(Routes.Port.API);
        var server = WebServer.builder().host("127.0.0.1").port(0).addRouting(routing).shutdownHook(false).build()
                .start();
        try {
            assertThat(new Http(server.port()).get("/_health").status()).isEqualTo(200);
        } finally {
            server.stop();
            storage.close();
        }
    }

    @Test
    void aLogThatRefusesWritesIs503WithItsReason() throws Exception {
        var storage = new InMemoryStorage();
        var clock = new TestClock();
        var stall = new java.util.concurrent.atomic.AtomicReference<dev.jlay.eventlog.Sequencer.Stall>(
                new dev.jlay.eventlog.Sequencer.Stall("No space left on device", clock.now, 12));
        var routing = Routes.partial(List.of(new Health(storage::health,
                () -> java.util.Optional.ofNullable(stall.get()), () -> Health.Flow.NONE, Duration.ofMinutes(5),
                clock))).http(Routes.Port.API);
        var server = WebServer.builder().host("127.0.0.1").port(0).addRouting(routing).shutdownHook(false).build()
                .start();
        try {
            var full = new Http(server.port()).get("/_health");
            assertThat(full.status()).isEqualTo(503);
            assertThat(full.body()).contains("event log refuses writes: No space left on device", "\"heldEvents\":12");
            stall.set(null); // the disk has room again
            assertThat(new Http(server.port()).get("/_health").status()).isEqualTo(200);
        } finally {
            server.stop();
            storage.close();
        }
    }
}
