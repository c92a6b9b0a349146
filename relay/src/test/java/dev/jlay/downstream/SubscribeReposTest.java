package dev.jlay.downstream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.jlay.Relay;
import dev.jlay.RelayServer;
import dev.jlay.atproto.stream.ErrorMessage;
import dev.jlay.atproto.stream.FirehoseCodec;
import dev.jlay.atproto.stream.IdentityMessage;
import dev.jlay.atproto.stream.InfoMessage;
import dev.jlay.atproto.stream.SequencedMessage;
import dev.jlay.config.RelayConfig;
import dev.jlay.eventlog.EventKind;
import dev.jlay.eventlog.LogEvent;
import dev.jlay.testing.FirehoseClient;
import dev.jlay.testing.SeqStampedFrames;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocketHandshakeException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** subscribeRepos over real WebSockets on loopback, against a real event log. */
class SubscribeReposTest {
    private static final Duration WAIT = Duration.ofSeconds(30);

    @TempDir
    Path dir;

    private RelayServer server;
    private String database;
    private final List<FirehoseClient> clients = new ArrayList<>();

    private RelayServer start(Map<String, String> overrides) {
        var settings = new HashMap<String, String>(Map.of(
                "data.dir", dir.toString(), "host", "127.0.0.1", "port", "0", "metrics.port", "0",
                "eventlog.ring-events", "32", "sequencer.linger-ms", "0"));
        settings.putAll(overrides);
        settings.put("database.url", database());
        var config = RelayConfig.of(settings);
        server = RelayServer.start(Relay.create(config), config.host(), config.port(), config.metricsPort());
        return server;
    }

    /** One database per test, kept across the test's restarts like its data dir. */
    private String database() {
        if (database == null) database = dev.jlay.testing.TestPostgres.freshDatabase("subscribe");
        return database;
    }

    @AfterEach
    void stop() {
        clients.forEach(FirehoseClient::close);
        if (server != null) {
            server.close();
        }
    }

    private FirehoseClient connect(String query) throws Exception {
        var c = FirehoseClient.connect(server.port(), query);
        clients.add(c);
        return c;
    }

    /** Appends n real #identity frames and waits until they are durable; returns the last seq. */
    private long append(int n) throws Exception {
        var sequencer = server.relay().events().sequencer();
        CompletableFuture<Long> last = null;
        for (int i = 0; i < n; i++) {
            var frame = FirehoseCodec.encode(new IdentityMessage(0, "did:plc:test" + (i % 7),
                    "2026-01-01T00:00:00.000Z", "user" + i + ".test"));
            last = sequencer.append(frame, EventKind.IDENTITY, "did:plc:test" + (i % 7));
        }
        return last.get(30, TimeUnit.SECONDS);
    }

    private static long seqOf(byte[] frame) {
        return ((SequencedMessage) FirehoseCodec.decode(frame)).seq();
    }

    private static List<Long> seqs(FirehoseClient c) {
        return c.frames.stream().map(SubscribeReposTest::seqOf).toList();
    }

    private static List<Long> range(long fromInclusive, long toInclusive) {
        var out = new ArrayList<Long>();
        for (long s = fromInclusive; s <= toInclusive; s++) {
            out.add(s);
        }
        return out;
    }

    private void awaitPositioned(int consumers, long seq) {
        await().atMost(WAIT).until(() -> {
            var list = server.relay().subscribeRepos().consumers().list();
            return list.size() == consumers && list.stream().allMatch(c -> c.lastSentSeq() == seq);
        });
    }

    private List<LogEvent> logged(long from, long to) {
        return server.relay().events().log().read(from, (int) (to - from + 1), Long.MAX_VALUE);
    }

    @Test
    void noCursorTailsLiveEventsOnly() throws Exception {
        start(Map.of());
        append(10);
        var client = connect(null);
        awaitPositioned(1, 10);
        append(40);
        await().atMost(WAIT).until(() -> client.frames.size() >= 40);
        assertThat(seqs(client)).isEqualTo(range(11, 50));
        var consumer = server.relay().subscribeRepos().consumers().list().getFirst();
        assertThat(consumer.userAgent()).isEqualTo("jlay-test");
        assertThat(consumer.remoteAddress()).contains("127.0.0.1");
        await().atMost(WAIT).until(() -> server.relay().subscribeRepos().consumers().list().getFirst()
                .framesSent() == 40);
    }

    @Test
    void cursorReplaysStrictlyAfterItFromTheLogThenTheRingThenLive() throws Exception {
        start(Map.of());
        append(200);
        // the ring holds 32 frames: 51..168 come from RocksDB, the rest from the ring, then live
        var client = connect("cursor=50");
        await().atMost(WAIT).until(() -> client.frames.size() >= 150);
        append(100);
        await().atMost(WAIT).until(() -> client.frames.size() >= 250);
        assertThat(seqs(client)).isEqualTo(range(51, 300));
        var expected = logged(51, 300);
        for (int i = 0; i < expected.size(); i++) {
            assertThat(client.frames.get(i)).isEqualTo(expected.get(i).frame());
        }
        // cursor == head: nothing until the next event
        var atHead = connect("cursor=300");
        awaitPositioned(2, 300);
        assertThat(atHead.frames).isEmpty();
        append(1);
        await().atMost(WAIT).until(() -> atHead.frames.size() == 1);
        assertThat(seqOf(atHead.frames.getFirst())).isEqualTo(301);
    }

    @Test
    void cursorZeroReplaysTheWholeWindow() throws Exception {
        start(Map.of());
        append(100);
        server.relay().events().log().deleteBefore(21);
        var client = connect("cursor=0");
        await().atMost(WAIT).until(() -> client.frames.size() >= 80);
        assertThat(seqs(client)).isEqualTo(range(21, 100));
    }

    @Test
    void outdatedCursorGetsInfoThenTheWholeWindow() throws Exception {
        start(Map.of());
        append(150);
        server.relay().events().log().deleteBefore(101);
        var client = connect("cursor=5");
        await().atMost(WAIT).until(() -> client.frames.size() >= 51);
        var info = FirehoseCodec.decode(client.frames.getFirst());
        assertThat(info).isInstanceOfSatisfying(InfoMessage.class,
                m -> assertThat(m.name()).isEqualTo(InfoMessage.OUTDATED_CURSOR));
        assertThat(client.frames.subList(1, client.frames.size()).stream().map(SubscribeReposTest::seqOf))
                .containsExactlyElementsOf(range(101, 150));
        // a cursor right before the window is not outdated
        var justInside = connect("cursor=100");
        await().atMost(WAIT).until(() -> justInside.frames.size() >= 50);
        assertThat(seqs(justInside)).isEqualTo(range(101, 150));
    }

    @Test
    void futureCursorGetsTheErrorFrameAndAClose() throws Exception {
        start(Map.of());
        append(10);
        var client = connect("cursor=11");
        var how = client.closed.get(30, TimeUnit.SECONDS);
        assertThat(how).startsWith("close 1008");
        assertThat(client.frames).hasSize(1);
        assertThat(FirehoseCodec.decode(client.frames.getFirst())).isInstanceOfSatisfying(ErrorMessage.class,
                e -> assertThat(e.error()).isEqualTo(ErrorMessage.FUTURE_CURSOR));
        await().atMost(WAIT).until(() -> server.relay().subscribeRepos().consumers().size() == 0);
        assertThat(server.relay().metrics().render())
                .contains("relay_consumer_kicks_total{reason=\"future_cursor\"} 1\n");
    }

    @Test
    void severalConsumersReceiveIdenticalFramesInSeqOrder() throws Exception {
        start(Map.of());
        append(5);
        var live = List.of(connect(null), connect(null), connect(null));
        awaitPositioned(3, 5);
        var replaying = connect("cursor=0");
        var producers = new ArrayList<Thread>();
        for (int p = 0; p < 3; p++) {
            producers.add(Thread.ofVirtual().start(() -> {
                try {
                    append(100);
                } catch (Exception e) {
                    throw new RuntimeException(e);
                }
            }));
        }
        for (var t : producers) {
            t.join();
        }
        for (var c : live) {
            await().atMost(WAIT).until(() -> c.frames.size() >= 300);
            assertThat(seqs(c)).isEqualTo(range(6, 305));
        }
        await().atMost(WAIT).until(() -> replaying.frames.size() >= 305);
        assertThat(seqs(replaying)).isEqualTo(range(1, 305));
        for (int i = 0; i < 300; i++) {
            assertThat(live.get(1).frames.get(i)).isEqualTo(live.getFirst().frames.get(i));
            assertThat(live.get(2).frames.get(i)).isEqualTo(live.getFirst().frames.get(i));
            assertThat(replaying.frames.get(i + 5)).isEqualTo(live.getFirst().frames.get(i));
        }
        var text = server.relay().metrics().render();
        assertThat(text).contains("relay_consumers 4\n");
        // every consumer has sent everything: no lag, one series per connection id
        assertThat(text.lines().filter(l -> l.startsWith("relay_consumer_lag_events{consumer=")))
                .hasSize(4).allSatisfy(l -> assertThat(l).endsWith("} 0"));
    }

    @Test
    void idleConnectionsGetKeepalivePings() throws Exception {
        start(Map.of("downstream.ping-ms", "100"));
        var client = connect(null);
        await().atMost(WAIT).until(() -> client.pings.get() >= 3);
        assertThat(client.frames).isEmpty();
    }

    /**
     * A consumer that only reads sends the server nothing but pongs, and Helidon closes a WebSocket
     * after 5 minutes without an inbound frame however much it writes: so pings go out on schedule
     * while events stream too, not only when the connection is idle.
     */
    @Test
    void busyConnectionsAreStillPinged() throws Exception {
        start(Map.of("downstream.ping-ms", "200"));
        var client = connect(null);
        awaitPositioned(1, 0);
        for (int i = 0; i < 60; i++) { // 3 s of steady traffic, never 200 ms without a frame
            append(1);
            Thread.sleep(50);
        }
        await().atMost(WAIT).until(() -> client.frames.size() >= 60);
        assertThat(client.pings.get()).isGreaterThanOrEqualTo(5);
    }

    /**
     * A relay on synthetic 64 KiB frames (they fill socket buffers quickly), a consumer from cursor 0
     * that reads one frame and then stops, and one from cursor 1 that reads everything; 600 frames.
     */
    private FirehoseClient stallOneConsumer(String writeTimeoutMs, String graceMs, List<FirehoseClient> fastOut)
            throws Exception {
        var config = RelayConfig.of(Map.of("data.dir", dir.toString(), "host", "127.0.0.1", "port", "0",
                "metrics.port", "0", "downstream.write-timeout-ms", writeTimeoutMs,
                "downstream.too-slow-grace-ms", graceMs, "sequencer.linger-ms", "0", "database.url", database()));
        server = RelayServer.start(Relay.create(config, SeqStampedFrames.STAMPER), config.host(), config.port(),
                config.metricsPort());
        var sequencer = server.relay().events().sequencer();
        var last = sequencer.append(SeqStampedFrames.payload(0, 64 * 1024), EventKind.OTHER, null);
        last.get(30, TimeUnit.SECONDS);
        var slow = FirehoseClient.connect(server.port(), "cursor=0", false);
        clients.add(slow);
        fastOut.add(connect("cursor=1"));
        for (int i = 1; i < 600; i++) {
            last = sequencer.append(SeqStampedFrames.payload(i, 64 * 1024), EventKind.OTHER, null);
        }
        last.get(30, TimeUnit.SECONDS);
        return slow;
    }

    private void assertFastConsumerGotEverything(FirehoseClient fast) {
        await().atMost(Duration.ofSeconds(60)).until(() -> fast.frames.size() >= 599);
        assertThat(fast.frames.stream().map(SeqStampedFrames::seqOf).toList()).isEqualTo(range(2, 600));
        assertThat(fast.closed).isNotDone();
    }

    @Test
    void aConsumerThatStopsReadingGetsConsumerTooSlowAndACloseWhenItReadsAgain() throws Exception {
        var fastOut = new ArrayList<FirehoseClient>();
        var slow = stallOneConsumer("1500", "60000", fastOut);
        var registry = server.relay().subscribeRepos().consumers();
        await().atMost(Duration.ofSeconds(60)).until(() -> registry.tooSlowKicks() >= 1);
        // judged, not yet told: its write is still stuck, the connection still open
        assertThat(slow.closed).isNotDone();
        assertThat(registry.tooSlowTold()).isZero();
        assertFastConsumerGotEverything(fastOut.getFirst());

        // it reads again within the grace period: the stuck write completes, the error frame follows, then the close
        slow.read(Long.MAX_VALUE);
        assertThat(slow.closed.get(30, TimeUnit.SECONDS)).isEqualTo("close 1008 ConsumerTooSlow");
        assertThat(FirehoseCodec.decode(slow.frames.getLast())).isInstanceOfSatisfying(ErrorMessage.class,
                e -> assertThat(e.error()).isEqualTo(ErrorMessage.CONSUMER_TOO_SLOW));
        // before it, a prefix of the stream in order: nothing after the stuck frame was sent
        var events = slow.frames.subList(0, slow.frames.size() - 1).stream().map(SeqStampedFrames::seqOf).toList();
        assertThat(events).isEqualTo(range(1, events.size()));
        assertThat(events.size()).isLessThan(600);
        await().atMost(WAIT).until(() -> registry.list().size() == 1);
        assertThat(registry.list()).extracting(ConsumerSnapshot::requestedCursor).containsExactly("1");
        assertThat(registry.tooSlowKicks()).isEqualTo(1);
        assertThat(registry.tooSlowTold()).isEqualTo(1);
        assertThat(registry.tooSlowAborted()).isZero();
        assertThat(server.relay().metrics().render())
                .contains("relay_consumer_kicks_total{reason=\"too_slow\"} 1\n")
                .contains("relay_consumer_too_slow_total{outcome=\"error_frame\"} 1\n")
                .contains("relay_consumer_too_slow_total{outcome=\"aborted\"} 0\n");
    }

    @Test
    void aConsumerStillStuckAfterTheGracePeriodIsCutWithoutTheErrorFrame() throws Exception {
        var fastOut = new ArrayList<FirehoseClient>();
        var slow = stallOneConsumer("1500", "1000", fastOut);
        var registry = server.relay().subscribeRepos().consumers();
        // the stalled consumer (cursor 0) goes; the reading one (cursor 1) stays
        await().atMost(Duration.ofSeconds(60)).until(() -> registry.tooSlowAborted() >= 1
                && registry.list().stream().noneMatch(c -> c.requestedCursor().equals("0")));
        assertFastConsumerGotEverything(fastOut.getFirst());
        assertThat(registry.list()).extracting(ConsumerSnapshot::requestedCursor).containsExactly("1");
        assertThat(registry.tooSlowKicks()).isEqualTo(1);
        assertThat(registry.tooSlowTold()).isZero();
        // the stalled one, reading again, finds only what was buffered before the cut: a prefix, in order
        slow.read(Long.MAX_VALUE);
        var previous = new java.util.concurrent.atomic.AtomicInteger(-1);
        await().atMost(WAIT).pollInterval(Duration.ofMillis(500))
                .until(() -> previous.getAndSet(slow.frames.size()) == slow.frames.size());
        assertThat(slow.frames.size()).isLessThan(600);
        var got = slow.frames.stream().map(SeqStampedFrames::seqOf).toList();
        assertThat(got).isEqualTo(range(1, got.size()));
        assertThat(server.relay().metrics().render())
                .contains("relay_consumer_kicks_total{reason=\"too_slow\"} 1\n")
                .contains("relay_consumer_too_slow_total{outcome=\"aborted\"} 1\n")
                .contains("relay_consumer_too_slow_total{outcome=\"error_frame\"} 0\n");
    }

    @Test
    void catchingUpFromTheLogIsNotTooSlow() throws Exception {
        start(Map.of("downstream.write-timeout-ms", "1000"));
        append(2000);
        var client = connect("cursor=0");
        await().atMost(WAIT).until(() -> client.frames.size() >= 2000);
        assertThat(server.relay().subscribeRepos().consumers().tooSlowKicks()).isZero();
        assertThat(client.closed).isNotDone();
    }

    @Test
    void badCursorIsAnHttp400WithAnXrpcErrorBeforeAnyUpgrade() throws Exception {
        start(Map.of());
        var http = HttpClient.newHttpClient();
        var base = "http://127.0.0.1:" + server.port() + SubscribeRepos.PATH;
        var bad = http.send(HttpRequest.newBuilder(URI.create(base + "?cursor=abc")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(bad.statusCode()).isEqualTo(400);
        assertThat(bad.headers().firstValue("content-type")).hasValueSatisfying(v -> assertThat(v).contains("json"));
        assertThat(bad.body()).startsWith("{\"error\":\"InvalidRequest\",\"message\":");
        var noUpgrade = http.send(HttpRequest.newBuilder(URI.create(base + "?cursor=1")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(noUpgrade.statusCode()).isEqualTo(426);

        var handshake = new CompletableFuture<Integer>();
        try {
            FirehoseClient.connect(server.port(), "cursor=-5").close();
            handshake.complete(101);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof WebSocketHandshakeException h) {
                // the JDK client does not keep the body of a refused handshake; the plain GET above checks it
                handshake.complete(h.getResponse().statusCode());
            } else {
                throw e;
            }
        }
        assertThat(handshake.get()).isEqualTo(400);
        assertThat(server.relay().subscribeRepos().consumers().size()).isZero();
    }
}
