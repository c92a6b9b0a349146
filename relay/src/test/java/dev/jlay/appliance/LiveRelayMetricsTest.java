package dev.jlay.appliance;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.jlay.Relay;
import dev.jlay.RelayServer;
import dev.jlay.memory.JfrMonitor;
import dev.jlay.testing.FirehoseClient;
import dev.jlay.testing.Promtool;
import dev.jlay.testing.TestPostgres;
import dev.jlay.testing.CorpusHosts;
import dev.jlay.testing.TestRelays;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every relay_* metric that the dashboards and alert rules read is exported by a running relay,
 * and the exposition passes {@code promtool check metrics}. The first test starts the whole relay
 * in-process as {@code serve} wires it (real PostgreSQL from {@code JLAY_TEST_DATABASE_URL}, two
 * loopback hosts replaying ../shared/corpus, a loopback PLC, a consumer on subscribeRepos) and reads
 * its metrics port over HTTP once the frames are durable. The second starts one with no traffic and
 * scrapes it once, at once (what scripts/appliance-check does). The third checks another relay: set
 * JLAY_METRICS_SOURCE to its /metrics URL (loopback) or a saved copy
 * ({@code scripts/appliance-check metrics [URL|FILE]} does); without it, it is skipped, saying so.
 */
class LiveRelayMetricsTest {
    private static final Duration WAIT = Duration.ofSeconds(60);

    @TempDir
    Path tmp;

    @Test
    void everyMetricTheDashboardsReadIsExportedByARunningRelay() throws Exception {
        String database = TestPostgres.freshDatabase("metrics");
        try (var corpus = CorpusHosts.start()) {
            int total = corpus.total();
            var config = corpus.relayConfig(tmp.resolve("relay"), "database.url", database, "sequencer.linger-ms", "0");
            try (var server = TestRelays.start(config);
                 var consumer = FirehoseClient.connect(server.port(), "cursor=0")) {
                await().atMost(WAIT).until(() -> consumer.frames.size() >= total);
                String url = "http://127.0.0.1:" + server.metricsPort() + "/metrics";
                // the host-status gauges cache the database's answer for a few seconds: wait for "active"
                await().atMost(WAIT).until(() -> read(url).contains("relay_upstream_hosts{status=\"active\"} 2\n"));
                String text = read(url);
                assertEveryDashboardMetricIsExported(text, url);
                assertThat(text).contains(
                        "relay_frames_total{type=\"commit\",result=\"accepted\"} ",
                        "relay_seq " + total + "\n",
                        "relay_consumers 1\n",
                        "relay_database_up 1\n",
                        "relay_stage_latency_seconds_count{stage=\"receive_to_durable\"} " + total + "\n",
                        "relay_host_frames_total{host=\"" + corpus.host0.host() + "\"} " + corpus.pds0.size() + "\n",
                        "relay_host_frames_total{host=\"" + corpus.host1.host() + "\"} " + corpus.pds1.size() + "\n",
                        "relay_consumer_lag_events{consumer=\"1\"} 0\n",
                        "relay_consumer_kicks_total{reason=\"too_slow\"} 0\n",
                        "relay_stage_allocated_bytes_total{stage=\"unattributed\"} ");
                assertThat(sum(text, "relay_frames_total{", "result=\"accepted")).isEqualTo(total);
                Promtool.assertCheckMetricsPasses(text);
            }
        } finally {
            TestPostgres.dropDatabase(database);
        }
    }

    /**
     * What Prometheus sees on its first scrape of a freshly started relay (no hosts, no consumers,
     * no GC yet): every family a dashboard or rule reads has its series, so no panel starts as
     * "No data" and no rate() misses its first increase. The GC counters of every collector of this
     * JVM are there at 0, and NMT's categories with the reading taken at start.
     */
    @Test
    void everyMetricTheDashboardsReadHasItsSeriesOnTheFirstScrape() throws Exception {
        String database = TestPostgres.freshDatabase("firstscrape");
        try {
            var config = TestRelays.config(tmp.resolve("fresh"), "database.url", database);
            try (var server = RelayServer.start(Relay.create(config), config.host(), config.port(),
                    config.metricsPort())) {
                String url = "http://127.0.0.1:" + server.metricsPort() + "/metrics";
                String text = read(url); // once, at once: no waiting for the first GC or JFR event
                assertEveryDashboardMetricIsExported(text, url);
                var withoutSeries = new TreeSet<>(Queries.relayMetricNames(Queries.all()));
                withoutSeries.removeAll(sampledNames(text));
                assertThat(withoutSeries).as("read by the dashboards/rules but with no series on the first scrape "
                        + "(only the per-host and per-consumer families may be empty with no hosts or consumers)")
                        .isSubsetOf(PER_CONNECTION_FAMILIES);
                var gcLabels = JfrMonitor.collectorLabels();
                assertThat(gcLabels).as("this JVM's collectors map to JFR's names").isNotEmpty();
                for (String gc : gcLabels) {
                    assertThat(text).contains("relay_jvm_gc_collections_total{gc=\"" + gc + "\"} ",
                            "relay_jvm_gc_pause_seconds_total{gc=\"" + gc + "\"} ");
                }
                // the suite, like the appliance, runs with -XX:NativeMemoryTracking=summary
                assertThat(text).contains("relay_nmt_enabled 1\n");
                assertThat(sum(text, "relay_nmt_committed_bytes{category=\"java_heap\"}", "")).isPositive();
                Promtool.assertCheckMetricsPasses(text);
            }
        } finally {
            TestPostgres.dropDatabase(database);
        }
    }

    /** Families whose label is a connected host, consumer or /subscribe connection: no series while there is none. */
    private static final Set<String> PER_CONNECTION_FAMILIES = Set.of("relay_host_frames_total",
            "relay_consumer_lag_events", "relay_jetstream_lag_events");

    @Test
    void everyMetricTheDashboardsReadIsExportedByTheGivenRelay() throws Exception {
        String source = System.getenv("JLAY_METRICS_SOURCE");
        assumeTrue(source != null && !source.isBlank(),
                "no external relay given: set JLAY_METRICS_SOURCE to its /metrics URL or a saved copy "
                        + "(scripts/appliance-check metrics [URL|FILE]); the in-process relay is checked above");
        String text = read(source);
        assertEveryDashboardMetricIsExported(text, source);
        Promtool.assertCheckMetricsPasses(text);
    }

    private static void assertEveryDashboardMetricIsExported(String text, String source) throws IOException {
        Set<String> exported = exportedNames(text);
        assertThat(exported).as("no relay_ metrics at " + source).isNotEmpty();
        var missing = new TreeMap<String, String>();
        for (var q : Queries.all()) {
            for (String name : Queries.relayMetricNames(q.expr())) {
                if (!exported.contains(name)) {
                    missing.putIfAbsent(name, q.origin());
                }
            }
        }
        assertThat(missing).as("used by the dashboards/rules (first user shown) but not exported by the relay")
                .isEmpty();
    }

    /** Sum of the samples of lines starting with {@code prefix} and containing {@code part}. */
    private static long sum(String text, String prefix, String part) {
        return text.lines().filter(l -> l.startsWith(prefix) && l.contains(part))
                .mapToLong(l -> Long.parseLong(l.substring(l.lastIndexOf(' ') + 1))).sum();
    }

    private static String read(String source) throws IOException, InterruptedException {
        if (source.startsWith("http://") || source.startsWith("https://")) {
            return get(source);
        }
        return Files.readString(Path.of(source));
    }

    private static String get(String source) throws IOException, InterruptedException {
        URI uri = URI.create(source);
        assertThat(uri.getHost()).as("loopback only").isIn("127.0.0.1", "localhost", "::1", "[::1]");
        try (var client = HttpClient.newHttpClient()) {
            var response = client.send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(10))
                    .header("Accept", "text/plain").build(), HttpResponse.BodyHandlers.ofString());
            assertThat(response.statusCode()).as("GET " + source).isEqualTo(200);
            return response.body();
        }
    }

    /** Names that have at least one sample (a histogram's samples count for its _bucket, _sum, _count). */
    static Set<String> sampledNames(String text) {
        var names = new TreeSet<String>();
        for (String line : text.split("\n")) {
            if (!line.isBlank() && !line.startsWith("#")) {
                int end = line.indexOf('{');
                names.add(line.substring(0, end < 0 ? line.indexOf(' ') : end));
            }
        }
        names.removeIf(n -> !n.startsWith("relay_"));
        return names;
    }

    /** Sample names, plus families announced by # TYPE (a labelled counter may have no sample yet). */
    static Set<String> exportedNames(String text) {
        var names = new TreeSet<String>();
        for (String line : text.split("\n")) {
            if (line.startsWith("# TYPE ") || line.startsWith("# HELP ")) {
                String[] parts = line.split(" ");
                if (parts.length > 2) {
                    names.add(parts[2]);
                    if (line.startsWith("# TYPE ") && parts.length > 3 && parts[3].equals("histogram")) {
                        names.addAll(List.of(parts[2] + "_bucket", parts[2] + "_sum", parts[2] + "_count"));
                    }
                }
            } else if (!line.isBlank() && !line.startsWith("#")) {
                int end = line.indexOf('{');
                if (end < 0) {
                    end = line.indexOf(' ');
                }
                names.add(end < 0 ? line : line.substring(0, end));
            }
        }
        names.removeIf(n -> !n.startsWith("relay_"));
        return names;
    }

    @Test
    void theExpositionParserFindsSamplesAndAnnouncedFamilies() {
        String text = """
                # HELP relay_seq Last seq.
                # TYPE relay_seq gauge
                relay_seq 42
                # TYPE relay_consumer_kicks_total counter
                # TYPE relay_stage_latency_seconds histogram
                relay_buffer_entries{buffer="parking"} 3
                jvm_other 1
                """;
        assertThat(exportedNames(text)).containsExactlyInAnyOrder("relay_seq", "relay_consumer_kicks_total",
                "relay_stage_latency_seconds", "relay_stage_latency_seconds_bucket", "relay_stage_latency_seconds_sum",
                "relay_stage_latency_seconds_count", "relay_buffer_entries");
    }
}
