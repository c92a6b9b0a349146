package dev.jlay.appliance;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

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
 * Every relay_* metric that the dashboards and alert rules read is exported
 * by a running relay. Needs a relay: JLAY_METRICS_SOURCE is its /metrics URL
 * (loopback) or a saved copy of it. `scripts/appliance-check metrics` sets it,
 * and the chroot check does once the relay has `serve`. Without it the test
 * is skipped, with that reason: the relay could not serve when this was written.
 */
class LiveRelayMetricsTest {

    @TempDir
    Path tmp;

    @Test
    void everyMetricTheDashboardsReadIsExported() throws IOException, InterruptedException {
        String source = System.getenv("JLAY_METRICS_SOURCE");
        assumeTrue(source != null && !source.isBlank(),
                "no running relay given: set JLAY_METRICS_SOURCE to its /metrics URL or a saved copy "
                        + "(scripts/appliance-check metrics [URL|FILE])");
        String text = read(source);
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
        assertThat(missing).as("used by the dashboards/rules (first user shown) but not exported by the relay").isEmpty();

        Path file = Files.writeString(tmp.resolve("metrics.txt"), text);
        Path promtool = Command.which("promtool");
        if (promtool != null) {
            Command lint = Command.run(tmp, List.of("sh", "-c", promtool + " check metrics < " + file));
            assertThat(lint.output()).as("promtool check metrics").doesNotContain("error");
        }
    }

    private static String read(String source) throws IOException, InterruptedException {
        if (source.startsWith("http://") || source.startsWith("https://")) {
            URI uri = URI.create(source);
            assertThat(uri.getHost()).as("loopback only").isIn("127.0.0.1", "localhost", "::1", "[::1]");
            try (var client = HttpClient.newHttpClient()) {
                var response = client.send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(10))
                        .header("Accept", "text/plain").build(), HttpResponse.BodyHandlers.ofString());
                assertThat(response.statusCode()).as("GET " + source).isEqualTo(200);
                return response.body();
            }
        }
        return Files.readString(Path.of(source));
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
