package dev.jlay.edge;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.jlay.EdgeRelay;
import dev.jlay.atproto.stream.FirehoseCodec;
import dev.jlay.atproto.stream.IdentityMessage;
import dev.jlay.atproto.stream.SequencedMessage;
import dev.jlay.config.RelayConfig;
import dev.jlay.eventlog.EventKind;
import dev.jlay.pipeline.FrameFile;
import dev.jlay.testing.DidDocServer;
import dev.jlay.testing.FirehoseClient;
import dev.jlay.testing.LoopbackPds;
import dev.jlay.testing.SharedFixtures;
import dev.jlay.testing.TestKafka;
import dev.jlay.testing.TestRelays;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A primary publishing to a real broker and an edge reading it, both as {@code serve} builds them.
 * The edge starts while the primary is mid-stream, so a consumer of the edge from cursor 0 is served
 * first from the topic (history) and then from the edge's ring (live): it gets the same frames, byte
 * for byte and seq for seq, as a consumer of the primary; a consumer with a cursor in the middle
 * gets exactly what follows it; the read-only sync endpoints answer as the primary does; and a new
 * edge (a restart: nothing carried over) catches a returning consumer up from its cursor, and lets
 * a cursor a little ahead of it wait for the topic instead of refusing it.
 */
class EdgeServesThePrimarysFirehoseTest {
    private static final Duration WAIT = Duration.ofSeconds(60);

    @TempDir
    Path dir;

    @Test
    void aConsumerOfTheEdgeSeesTheSameBytesAndSeqsAsAConsumerOfThePrimary() throws Exception {
        String bootstrap = TestKafka.bootstrap();
        String topic = TestKafka.freshTopic("edge");
        List<byte[]> frames = FrameFile.read(SharedFixtures.corpusDir().resolve("pds0.frames"));
        try (var host = new LoopbackPds(frames, Duration.ofMillis(4));
             var plc = new DidDocServer().serveCorpus(SharedFixtures.corpusDir().resolve("did-docs.json"),
                     Map.of("http://localhost:2583", host.url()))) {
            var primaryConfig = TestRelays.config(dir.resolve("primary"), "plc.url", plc.url().toString(),
                    "allow-insecure-hosts", "true", "upstream.hosts", host.host(),
                    "kafka.bootstrap-servers", bootstrap, "kafka.topic", topic, "admin.token", "edge-test-token");
            try (var primary = TestRelays.start(primaryConfig)) {
                await().atMost(WAIT).pollInterval(Duration.ofMillis(200)).failFast(() -> false)
                        .conditionEvaluationListener(c -> {
                            if (c.getRemainingTimeInMS() < 1_000) System.out.println("primary: " + primary.relay()
                                    .metrics().render().lines().filter(l -> l.startsWith("relay_seq")
                                            || l.startsWith("relay_kafka") || l.startsWith("relay_frames_total"))
                                    .toList());
                        })
                        .until(() -> TestKafka.endOffset(bootstrap, topic) >= 60);
                var edgeConfig = RelayConfig.of(Map.of("role", "edge", "host", "127.0.0.1", "port", "0",
                        "metrics.port", "0", "kafka.bootstrap-servers", bootstrap, "kafka.topic", topic,
                        "edge.primary-url", "http://127.0.0.1:" + primary.port()));
                List<byte[]> expected;
                try (var edge = EdgeRelay.create(edgeConfig).start("127.0.0.1", 0, "127.0.0.1", 0);
                     var direct = FirehoseClient.connect(primary.port(), "cursor=0");
                     var viaEdge = FirehoseClient.connect(edge.port(), "cursor=0");
                     var fromMiddle = FirehoseClient.connect(edge.port(), "cursor=25")) {
                    assertThat(edge.head()).as("the edge joined mid-stream").isGreaterThan(0);
                    await().atMost(WAIT).until(() -> direct.frames.size() >= frames.size());
                    await().atMost(WAIT).until(() -> viaEdge.frames.size() >= direct.frames.size()
                            && fromMiddle.frames.size() >= direct.frames.size() - 25);
                    Thread.sleep(500); // nothing more, nothing twice
                    expected = List.copyOf(direct.frames);
                    var got = List.copyOf(viaEdge.frames);
                    assertThat(got).hasSameSizeAs(expected);
                    for (int i = 0; i < expected.size(); i++) {
                        assertThat(seq(got.get(i))).as("frame %d", i).isEqualTo(i + 1L);
                        assertThat(got.get(i)).as("seq %d through the edge", i + 1).isEqualTo(expected.get(i));
                    }
                    var middle = List.copyOf(fromMiddle.frames);
                    assertThat(middle).hasSize(expected.size() - 25);
                    for (int i = 0; i < middle.size(); i++) {
                        assertThat(middle.get(i)).as("seq %d after cursor 25", 26 + i).isEqualTo(expected.get(25 + i));
                    }

                    // the read-only sync endpoints: the primary's answer, through the edge
                    var http = HttpClient.newHttpClient();
                    String path = "/xrpc/com.atproto.sync.listRepos?limit=5";
                    var fromPrimary = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + primary.port()
                            + path)).build(), HttpResponse.BodyHandlers.ofString());
                    var fromEdge = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + edge.port()
                            + path)).build(), HttpResponse.BodyHandlers.ofString());
                    assertThat(fromEdge.statusCode()).isEqualTo(200);
                    assertThat(fromEdge.body()).isEqualTo(fromPrimary.body()).contains("did:");
                    var crawl = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + edge.port()
                                    + "/xrpc/com.atproto.sync.requestCrawl"))
                            .POST(HttpRequest.BodyPublishers.ofString("{\"hostname\":\"not a host name\"}"))
                            .header("Content-Type", "application/json").build(), HttpResponse.BodyHandlers.ofString());
                    assertThat(crawl.statusCode()).as(crawl.body()).isEqualTo(400);
                    assertThat(crawl.body()).contains("InvalidRequest");

                    var metrics = edge.metrics().render().lines()
                            .filter(l -> l.startsWith("relay_edge_") || l.startsWith("relay_seq")).toList();
                    assertThat(metrics).as("edge feed: " + edge.feed().lastError()).contains("relay_edge_lag_records 0", "relay_edge_connected 1",
                            "relay_seq " + expected.size());
                }
                // a restarted edge holds nothing of the old one; a consumer comes back with its cursor and is
                // caught up from the topic
                try (var again = EdgeRelay.create(edgeConfig).start("127.0.0.1", 0, "127.0.0.1", 0);
                     var back = FirehoseClient.connect(again.port(), "cursor=300")) {
                    await().atMost(WAIT).until(() -> back.frames.size() >= expected.size() - 300);
                    Thread.sleep(300);
                    assertThat(back.frames).hasSize(expected.size() - 300);
                    for (int i = 0; i < back.frames.size(); i++) {
                        assertThat(back.frames.get(i)).as("seq %d after the edge's restart", 301 + i)
                                .isEqualTo(expected.get(300 + i));
                    }
                    // a cursor a little ahead of this edge (as from another edge) waits for the topic, no FutureCursor
                    long head = again.head();
                    var ahead = FirehoseClient.connect(again.port(), "cursor=" + (head + 2));
                    var sequencer = primary.relay().events().sequencer();
                    for (int i = 0; i < 3; i++) {
                        sequencer.append(FirehoseCodec.encode(new IdentityMessage(0, "did:plc:edgetest",
                                "2026-01-01T00:00:00.000Z", "edge" + i + ".test")), EventKind.IDENTITY, "did:plc:edgetest");
                    }
                    await().atMost(WAIT).until(() -> ahead.frames.size() >= 1);
                    assertThat(ahead.closed).isNotDone();
                    assertThat(seq(ahead.frames.getFirst())).isEqualTo(head + 3);
                    ahead.close();
                }
            }
        }
    }

    private static long seq(byte[] frame) {
        return ((SequencedMessage) FirehoseCodec.decode(frame)).seq();
    }
}
