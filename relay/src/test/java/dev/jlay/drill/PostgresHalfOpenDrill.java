package dev.jlay.drill;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.jlay.atproto.stream.FirehoseCodec;
import dev.jlay.atproto.stream.SequencedMessage;
import dev.jlay.eventlog.LogEvent;
import dev.jlay.sim.Fleet;
import dev.jlay.sim.SimHost;
import dev.jlay.testing.CrawlingRelay;
import dev.jlay.testing.FirehoseClient;
import dev.jlay.testing.TestPostgres;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * PostgreSQL behind a TCP proxy that goes half-open for {@code seconds} (accepts, keeps sockets
 * open, forwards nothing) while simulated hosts send. Throughout, {@code /metrics} answers (each
 * scrape within {@code scrape-timeout-ms}) and {@code /_health} says why it is unhealthy; the
 * pipeline waits and drops nothing; when the proxy forwards again the relay recovers by itself and
 * every event every host emitted is in the log once, each DID's in the hosts' order.
 */
@Tag("drill")
class PostgresHalfOpenDrill {
    private static final Duration WAIT = Duration.ofMinutes(4);
    private static final Pattern HOST_PORT = Pattern.compile("^(jdbc:postgresql://)([^/]+)(/.*)$");

    @TempDir
    Path dir;

    @Test
    void aHalfOpenDatabaseConnectionIsWaitedOutWithoutLoss() throws Exception {
        long seconds = DrillReport.param("seconds", 120);
        double rate = DrillReport.param("rate", 50);
        long scrapeTimeoutMs = DrillReport.param("scrape-timeout-ms", 5000);
        long frames = (long) (rate * (seconds + 90));
        var report = new DrillReport("postgres").put("half_open_seconds", seconds).put("rate_per_second", rate)
                .put("frames", frames).put("scrape_timeout_ms", scrapeTimeoutMs);
        String database = TestPostgres.freshDatabase("halfopen");
        var m = HOST_PORT.matcher(database);
        assertThat(m.matches()).as("a jdbc:postgresql:// URL: %s", database).isTrue();
        String[] hostPort = m.group(2).split(":");
        var scrapes = new ArrayList<Long>();
        var failedScrapes = new ArrayList<String>();
        try (var proxy = new HalfOpenProxy(hostPort[0], hostPort.length > 1 ? Integer.parseInt(hostPort[1]) : 5432);
             var fleet = Fleet.create(Fleet.Settings.of(2, 32, rate).withMaxFrames(frames));
             var relay = CrawlingRelay.start(dir, fleet.plc().url(), "pg-drill",
                     "upstream.hosts", String.join(",", fleet.hostnames()),
                     "database.url", m.group(1) + "127.0.0.1:" + proxy.port() + m.group(3));
             var consumer = FirehoseClient.connect(relay.port(), "cursor=0")) {
            fleet.start();
            var pipeline = relay.relay().pipeline();
            await().atMost(WAIT).until(() -> consumer.frames.size() >= 300);

            proxy.stall(true);
            long stalledAt = System.nanoTime();
            report.put("seq_at_stall", relay.relay().events().log().lastSeq());
            String[] unhealthy = {null};
            long[] unhealthyAfterMs = {-1};
            // the fault lasts `seconds`; every scrape in it must be answered
            await().during(Duration.ofSeconds(seconds)).atMost(Duration.ofSeconds(seconds + 120))
                    .pollInterval(Duration.ofSeconds(2)).until(() -> {
                        var scrape = DrillHttp.get(relay.server().metricsPort(), "/metrics",
                                Duration.ofMillis(scrapeTimeoutMs));
                        scrapes.add(scrape.millis());
                        if (scrape.status() != 200) failedScrapes.add(scrape.status() + " " + scrape.body());
                        var health = DrillHttp.health(relay.port());
                        if (health.status() == 503 && unhealthy[0] == null) {
                            unhealthy[0] = health.body();
                            unhealthyAfterMs[0] = (System.nanoTime() - stalledAt) / 1_000_000;
                        }
                        return true; // judged below, so a failure does not cut the fault short
                    });
            report.put("seq_at_resume", relay.relay().events().log().lastSeq())
                    .put("drops_during", drops(relay)).put("health_while_half_open", unhealthy[0])
                    .put("unhealthy_after_ms", unhealthyAfterMs[0]);
            proxy.stall(false);
            long resumedAt = System.nanoTime();
            await().atMost(WAIT).until(() -> DrillHttp.health(relay.port()).status() == 200);
            report.put("seconds_to_healthy", (System.nanoTime() - resumedAt) / 1e9);
            await().atMost(WAIT).until(fleet::finished);
            await().atMost(WAIT).until(() -> consumer.frames.size() >= frames);
            report.put("seconds_to_all_events", (System.nanoTime() - resumedAt) / 1e9);

            var all = List.copyOf(consumer.frames);
            for (int i = 0; i < all.size(); i++) {
                assertThat(((SequencedMessage) FirehoseCodec.decode(all.get(i))).seq()).isEqualTo(i + 1L);
            }
            Map<String, Long> emitted = new TreeMap<>();
            for (SimHost h : fleet.hosts()) emitted.put(h.hostname(), h.emitted());
            var order = checkOrder(relay);
            var sorted = scrapes.stream().sorted().toList();
            report.put("emitted_by_hosts", emitted).put("logged_by_hosts", order)
                    .put("scrapes", scrapes.size()).put("scrape_failures", failedScrapes.size())
                    .put("scrape_failure_examples", failedScrapes.stream().limit(3).toList())
                    .put("scrape_ms_p50", sorted.isEmpty() ? -1 : sorted.get(sorted.size() / 2))
                    .put("scrape_ms_max", sorted.isEmpty() ? -1 : sorted.getLast())
                    .put("drops", drops(relay)).put("proxy_connections", proxy.accepted());
            assertThat(failedScrapes).as("/metrics answered every scrape while PostgreSQL was half-open").isEmpty();
            assertThat(unhealthy[0]).as("/_health said why").isNotNull().contains("database");
            assertThat(drops(relay)).as("nothing dropped").isZero();
            assertThat(order).as("every emitted event logged once").isEqualTo(emitted);
            assertThat(all).hasSize((int) frames);
        } finally {
            report.write();
        }
    }

    private static long drops(CrawlingRelay relay) {
        long n = 0;
        for (var row : relay.relay().pipeline().counters().snapshot().values()) {
            for (var e : row.entrySet()) if (!e.getKey().startsWith("accepted")) n += e.getValue();
        }
        return n;
    }

    /**
     * Events per host, checking each (host, host seq) is there once, a host's seqs run 1..n, and
     * each DID's events keep their host's order.
     */
    private static Map<String, Long> checkOrder(CrawlingRelay relay) {
        var log = relay.relay().events().log();
        var seen = new HashMap<String, java.util.BitSet>();
        var lastByDid = new HashMap<String, Long>();
        long next = log.firstSeq();
        while (true) {
            List<LogEvent> page = log.read(next, 1_000, 16L << 20);
            if (page.isEmpty()) break;
            for (var e : page) {
                next = e.seq() + 1;
                if (!e.origin().known()) continue;
                var bits = seen.computeIfAbsent(e.origin().host(), h -> new java.util.BitSet());
                assertThat(bits.get((int) e.origin().seq())).as("%s logged twice", e.origin()).isFalse();
                bits.set((int) e.origin().seq());
                Long prev = lastByDid.put(e.origin().host() + " " + e.did(), e.origin().seq());
                assertThat(prev == null || prev < e.origin().seq()).as("%s in its host's order", e.did()).isTrue();
            }
        }
        var out = new TreeMap<String, Long>();
        seen.forEach((host, bits) -> {
            assertThat(bits.nextClearBit(1)).as("%s: host seqs 1..n without a gap", host).isEqualTo(bits.length());
            out.put(host, (long) bits.cardinality());
        });
        return out;
    }
}
