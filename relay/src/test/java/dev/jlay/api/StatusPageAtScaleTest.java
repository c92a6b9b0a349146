package dev.jlay.api;

import static org.assertj.core.api.Assertions.assertThat;

import dev.jlay.downstream.ConsumerSnapshot;
import dev.jlay.jetstream.JetstreamFilter;
import dev.jlay.jetstream.JetstreamService;
import dev.jlay.memory.MemoryReport;
import dev.jlay.store.Database;
import dev.jlay.testing.MigratedDatabase;
import dev.jlay.upstream.HostConnectionStatus;
import dev.jlay.upstream.HostConnectionStatus.State;
import io.helidon.webserver.WebServer;
import java.sql.DriverManager;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Issues 15 and 17: the status page at 10,000 hosts (seeded in a real PostgreSQL, with as many
 * running connections, some failing, 150 consumers and 150 Jetstream connections with the largest
 * filters) and an hour of samples stays small, its size bounded whatever the host count, and its
 * host list is paged and searched on the server.
 */
class StatusPageAtScaleTest {
    static final int HOSTS = 10_000;
    /**
     * Everything but the host list is bounded (top 10s, 100 consumers, 100 Jetstream connections with their
     * filters cut to 120 characters, a 360-point chart): 50 rows are ~8 KB.
     */
    static final int MAX_PAGE_BYTES = 96 * 1024; // 64 KB measured (40 KB before the Jetstream list)

    @RegisterExtension
    static final MigratedDatabase DATABASE = new MigratedDatabase("statusscale");

    @Test
    void tenThousandHostsGiveCountsTheBusiestAndFailingFirstAndOnePageOfFifty() throws Exception {
        try (var db = DATABASE.emptied()) {
            seed(db);
            var live = new ArrayList<HostConnectionStatus>();
            var now = Instant.now();
            for (int i = 1; i <= HOSTS; i++) {
                String host = "pds-" + i + ".example.com";
                if (i % 100 == 0) {
                    live.add(status(host, State.BACKOFF, null, 0, i / 100, "refused " + i));
                } else {
                    // host 7777 is the busiest by far; the rest trickle
                    live.add(status(host, State.CONNECTED, now.minusSeconds(600), i == 7777 ? 600_000 : i % 7, 0, null));
                }
            }
            var consumers = new ArrayList<ConsumerSnapshot>();
            for (int i = 1; i <= 150; i++) {
                consumers.add(new ConsumerSnapshot(i, "127.0.0.1:" + (40_000 + i), "agent-" + i, now, "", 1000 - i, i,
                        1000 - i));
            }
            // 150 Jetstream connections, each with 100 collections and half with 10,000 DIDs (the largest filter)
            var manyDids = dids();
            var jetstream = new ArrayList<JetstreamService.ConnectionView>();
            for (int i = 1; i <= 150; i++) {
                var filter = JetstreamFilter.parse(collections(i), i % 2 == 0 ? manyDids : List.<String>of(), 0);
                jetstream.add(new JetstreamService.ConnectionView(i, "127.0.0.1:" + (50_000 + i), "js-agent-" + i,
                        now, i == 3 ? "1700000000000000" : null, i % 3 == 0, filter.describe(), 5000 + i, 5000 - i,
                        i, i * 100L));
            }
            var report = new MemoryReport(900L << 20, false, new LinkedHashMap<>(Map.of("java_heap", 512L << 20,
                    "thread_stacks", 64L << 20, "malloc_other", 100L << 20)), Map.of(), Map.of(), null);
            var history = new StatusHistory(Duration.ofHours(1), Duration.ofSeconds(10), () -> 0, () -> report);
            long t0 = System.nanoTime() - Duration.ofHours(1).toNanos();
            for (int i = 0; i < 400; i++) { // more than the ring holds
                history.add(new StatusHistory.Sample(System.currentTimeMillis() - (400 - i) * 10_000L,
                        t0 + i * 10_000_000_000L, i * 7_000L, (800L + i) << 20, report.owners()));
            }
            assertThat(history.entries()).isEqualTo(history.capacity()).isEqualTo(360);
            var page = new StatusPage(db, () -> 2_800_000, () -> consumers, () -> report, () -> live, history,
                    () -> jetstream);
            var server = WebServer.builder().host("127.0.0.1").port(0).shutdownHook(false)
                    .addRouting(Routes.partial(List.of(page)).http(Routes.Port.API)).build().start();
            try {
                var http = new Http(server.port());
                String first = http.get("/").body();
                System.out.printf("status page at %d hosts: %d bytes%n", HOSTS, first.length());
                assertThat(first.length()).as("page bytes at %d hosts", HOSTS).isLessThan(MAX_PAGE_BYTES);
                assertThat(text(first, "hosts-total")).isEqualTo("10000");
                assertThat(text(first, "hosts-active")).isEqualTo("9000");
                assertThat(text(first, "hosts-offline")).isEqualTo("1000");
                assertThat(text(first, "connections-connected")).isEqualTo("9900");
                assertThat(text(first, "connections-backoff")).isEqualTo("100");
                assertThat(firstRow(first, "busiest")).contains("pds-7777.example.com");
                assertThat(firstRow(first, "failing")).contains("pds-10000.example.com", "refused 10000");
                assertThat(rows(first, "hosts")).isEqualTo(StatusPage.PAGE_SIZE);
                assertThat(firstRow(first, "hosts")).contains("<td>pds-1.example.com</td>");
                assertThat(rows(first, "consumers")).isEqualTo(StatusPage.CONSUMERS_SHOWN);
                assertThat(firstRow(first, "consumers")).contains("agent-150"); // the largest lag first
                // the Jetstream connections furthest behind, each filter summarised in a bounded cell
                assertThat(text(first, "jetstream-count")).isEqualTo("150");
                assertThat(rows(first, "jetstream")).isEqualTo(StatusPage.CONSUMERS_SHOWN);
                var jsFirst = firstRow(first, "jetstream");
                assertThat(jsFirst).contains("js-agent-1<", "collections=app.bsky.c0,app.bsky.c1,", "…", "<td>no</td>",
                        "<td>4999</td>");
                var jsThird = table(first, "jetstream").lines().filter(l -> l.contains("js-agent-3<")).findFirst()
                        .orElseThrow();
                assertThat(jsThird).contains("<td>zstd</td>");
                assertThat(table(first, "jetstream")).doesNotContain("js-agent-101<", "js-agent-150<");
                // the even ones filter by 10,000 DIDs: a count, never the DIDs themselves
                var filter2 = JetstreamFilter.parse(collections(2), dids(), 0).describe();
                assertThat(filter2).endsWith(" dids=10000");
                assertThat(StatusPage.shorten(filter2)).hasSize(StatusPage.MAX_FILTER_CHARS + 1);
                assertThat(first).doesNotContain("did:plc:", "app.bsky.c99");
                assertThat(first).contains("/admin/jetstream</code> has all");
                assertThat(first).contains("id=\"next-page\"", "<svg id=\"chart-events\"", "<svg id=\"chart-memory\"",
                        "<polyline").doesNotContain("<script");

                String third = http.get("/?page=3").body();
                assertThat(firstRow(third, "hosts")).contains("<td>pds-101.example.com</td>");
                assertThat(third).contains("id=\"previous-page\"");

                String last = http.get("/?page=200").body();
                assertThat(rows(last, "hosts")).isEqualTo(50);
                assertThat(last).doesNotContain("id=\"next-page\"");

                // pds-1234 and pds-12340.. do not exist past 10000: one match
                String found = http.get("/?q=PDS-1234.").body();
                assertThat(rows(found, "hosts")).isEqualTo(1);
                assertThat(firstRow(found, "hosts")).contains("pds-1234.example.com");
                assertThat(found).contains("value=\"pds-1234.\"");

                String many = http.get("/?q=pds-99&page=3").body();
                assertThat(rows(many, "hosts")).isEqualTo(111 - 100); // pds-99, 990-999, 9900-9999
                assertThat(http.get("/?page=0").status()).isEqualTo(400);
                assertThat(http.get("/?page=x").status()).isEqualTo(400);
            } finally {
                server.stop();
            }
        }
    }

    private static List<String> collections(int i) {
        var out = new ArrayList<String>();
        for (int c = 0; c < JetstreamFilter.MAX_COLLECTIONS; c++) {
            out.add("app.bsky.c" + c);
        }
        return out;
    }

    private static List<String> dids() {
        var out = new ArrayList<String>();
        for (int d = 0; d < JetstreamFilter.MAX_DIDS; d++) {
            out.add("did:plc:" + String.format("%024d", d));
        }
        return out;
    }

    /** 10,000 hosts in one statement, every tenth offline. */
    private static void seed(Database db) throws Exception {
        var url = DATABASE.url();
        try (var c = DriverManager.getConnection(url); var s = c.createStatement()) {
            s.executeUpdate("INSERT INTO host (hostname, status, last_seq, account_count, account_limit, "
                    + "events_per_second, events_per_hour, events_per_day) SELECT 'pds-' || i || '.example.com', "
                    + "CASE WHEN i % 10 = 0 THEN 'offline' ELSE 'active' END, i, i % 10, 1000, 50, 1000, 10000 "
                    + "FROM generate_series(1, " + HOSTS + ") AS i ORDER BY i");
        }
        assertThat(db.hosts().countByStatus().values().stream().mapToLong(Long::longValue).sum()).isEqualTo(HOSTS);
    }

    private static HostConnectionStatus status(String host, State state, Instant since, long frames, long failures,
                                               String error) {
        return new HostConnectionStatus(host, state, state == State.BACKOFF ? Instant.now().plusSeconds(30) : null,
                since, frames, 0, frames, frames, frames * 1000, failures + 1, failures, Map.of(), false, false, error);
    }

    private static String text(String html, String id) {
        var m = Pattern.compile("id=\"" + Pattern.quote(id) + "\"[^>]*>([^<]*)<").matcher(html);
        assertThat(m.find()).as("element #%s", id).isTrue();
        return m.group(1);
    }

    private static String table(String html, String id) {
        int start = html.indexOf("<table id=\"" + id + "\">");
        assertThat(start).as("table #%s", id).isNotNegative();
        return html.substring(start, html.indexOf("</table>", start));
    }

    /** Data rows (the header row has th cells). */
    private static int rows(String html, String id) {
        return (int) table(html, id).lines().filter(l -> l.startsWith("<tr><td>")).count();
    }

    private static String firstRow(String html, String id) {
        return table(html, id).lines().filter(l -> l.startsWith("<tr><td>")).findFirst().orElse("");
    }
}
