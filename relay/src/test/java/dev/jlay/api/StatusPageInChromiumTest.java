package dev.jlay.api;


import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.jlay.testing.FirehoseClient;
import dev.jlay.testing.JetstreamClient;
import dev.jlay.testing.CorpusHosts;
import dev.jlay.testing.TestRelays;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The status page at {@code /} as an operator sees it: the whole relay (real PostgreSQL, a loopback
 * host replaying the corpus, a consumer, a Jetstream client) and the page loaded in headless Chromium (Debian's
 * {@code chromium}, installed by {@code scripts/setup}), whose DOM after load is checked.
 */
class StatusPageInChromiumTest {
    private static final Duration WAIT = Duration.ofSeconds(60);

    @TempDir
    Path dir;

    @Test
    void chromiumRendersSeqRateHostsConsumersAndMemory() throws Exception {
        var chromium = chromium();
        var secondHostSends = new CountDownLatch(1); // frames between the two views, however slow Chromium is
        try (var corpus = CorpusHosts.start(Duration.ZERO, secondHostSends)) {
            var pds0 = corpus.pds0;
            var pds1 = corpus.pds1;
            var host = corpus.host0;
            var later = corpus.host1;
            var config = corpus.relayConfig(dir);
            try (var server = TestRelays.start(config);
                 var consumer = FirehoseClient.connect(server.port(), "cursor=0");
                 var jetstream = JetstreamClient.connect(server.port(), "compress=true&wantedCollections=app.bsky.feed.post"
                         + "&wantedCollections=app.bsky.graph.*&wantedDids=did:plc:aaaaaaaaaaaaaaaaaaaaaaaa"
                         + "&wantedDids=did:plc:bbbbbbbbbbbbbbbbbbbbbbbb")) {
                await().atMost(WAIT).until(() -> consumer.frames.size() >= pds0.size());
                String url = "http://127.0.0.1:" + server.port() + "/";

                var first = render(chromium, url);
                // sampled every 10 s since the relay started: a rate, or "measuring" in its first second
                assertThat(text(first, "events-per-second")).matches("measuring|[0-9]+\\.[0-9]");
                long firstSeq = Long.parseLong(text(first, "seq"));
                assertThat(firstSeq).isEqualTo(pds0.size());

                secondHostSends.countDown();
                await().atMost(WAIT).until(() -> consumer.frames.size() == pds0.size() + pds1.size());
                Thread.sleep(1_000); // a rate needs a sample at least a second old
                var second = render(chromium, url);
                long secondSeq = Long.parseLong(text(second, "seq"));
                assertThat(secondSeq).isEqualTo(pds0.size() + pds1.size());
                assertThat(Double.parseDouble(text(second, "events-per-second"))).isPositive();
                assertThat(second).contains("<title>jlay relay</title>", host.host(), later.host(), "<td>active</td>")
                        .doesNotContain("<script");
                // counts by state, the two hosts' connections, both charts drawn as inline SVG
                assertThat(text(second, "hosts-total")).isEqualTo("2");
                assertThat(second).contains("id=\"connection-counts\"", "<svg id=\"chart-events\"", "<svg id=\"chart-memory\"", "id=\"busiest\"",
                        "id=\"failing\"", "id=\"q\"");
                assertThat(text(second, "database")).isEqualTo("ok");
                assertThat(text(second, "consumer-count")).isEqualTo("1");
                // the Jetstream connection with its filter summarised: collections, a DID count, zstd
                assertThat(text(second, "jetstream-count")).isEqualTo("1");
                assertThat(second).contains("<td>collections=app.bsky.feed.post,app.bsky.graph.* dids=2</td><td>zstd</td>");
                // the memory summary: RSS and the owners that add up to it
                assertThat(cell(second, "memory-rss")).isGreaterThan(10.0);
                assertThat(cell(second, "memory-java_heap")).isPositive();
                assertThat(second).contains("id=\"memory-unaccounted\"");
            }
        }
    }

    /** The DOM after load, as Chromium serialises it. */
    private static String render(String chromium, String url) throws IOException, InterruptedException {
        var profile = Files.createTempDirectory("jlay-chromium");
        var command = new ArrayList<>(List.of(chromium, "--headless", "--no-sandbox", "--disable-gpu",
                "--disable-dev-shm-usage", "--no-first-run", "--user-data-dir=" + profile, "--dump-dom", url));
        var process = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.DISCARD).start();
        byte[] out = process.getInputStream().readAllBytes();
        assertThat(process.waitFor(60, TimeUnit.SECONDS)).as("chromium finished").isTrue();
        assertThat(process.exitValue()).as("chromium exit code").isZero();
        return new String(out, StandardCharsets.UTF_8);
    }

    private static String text(String dom, String id) {
        var m = Pattern.compile("id=\"" + Pattern.quote(id) + "\"[^>]*>([^<]*)<").matcher(dom);
        assertThat(m.find()).as("element #%s in the rendered page:%n%s", id, dom).isTrue();
        return m.group(1).strip();
    }

    /** The MiB cell of a memory row. */
    private static double cell(String dom, String rowId) {
        var m = Pattern.compile("<tr id=\"" + Pattern.quote(rowId) + "\"><td>[^<]*</td><td>([^<]*)</td>").matcher(dom);
        assertThat(m.find()).as("row #%s in the rendered page", rowId).isTrue();
        return Double.parseDouble(m.group(1));
    }

    /** Chromium is part of the test setup (scripts/setup installs Debian's package): missing is an error. */
    private static String chromium() {
        for (var name : List.of("chromium", "chromium-browser", "google-chrome")) {
            for (var dir : System.getenv().getOrDefault("PATH", "/usr/bin").split(":")) {
                var p = Path.of(dir, name);
                if (Files.isExecutable(p)) return p.toString();
            }
        }
        throw new AssertionError("no chromium on PATH: run scripts/setup (apt-get install chromium)");
    }
}
