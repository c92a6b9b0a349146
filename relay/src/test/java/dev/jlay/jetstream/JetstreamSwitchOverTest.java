package dev.jlay.jetstream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.luben.zstd.Zstd;
import com.github.luben.zstd.ZstdDecompressCtx;
import dev.jlay.atproto.stream.FirehoseCodec;
import dev.jlay.atproto.stream.IdentityMessage;
import dev.jlay.atproto.stream.SeqStamp;
import dev.jlay.downstream.TakenDownRepos;
import dev.jlay.eventlog.EventKind;
import dev.jlay.eventlog.EventLogService;
import dev.jlay.eventlog.Sequencer;
import dev.jlay.metrics.MetricRegistry;
import dev.jlay.testing.JetstreamClient;
import io.helidon.webserver.WebServer;
import io.helidon.webserver.websocket.WsRouting;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A replay joins the live stream with no gap and no duplicate while events keep arriving: a
 * producer sequences identity events as fast as the log takes them (real RocksDB, a ring of 256 so
 * the replay reads the log), and clients connect mid-stream with a time cursor far back, with none,
 * and compressed. Each must see every seq from its start to the end exactly once, in order
 * (identity events carry the relay's seq).
 */
class JetstreamSwitchOverTest {
    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final int TOTAL = 20_000;

    @TempDir
    Path dir;

    @Test
    void aReplayJoinsTheLiveStreamWithoutGapOrDuplicateUnderLoad() throws Exception {
        var metrics = new MetricRegistry();
        var settings = new EventLogService.Settings(dir, 1, 256, 1 << 20, new Sequencer.Options(8192, 512, 0),
                Duration.ofHours(24), 1L << 34, Duration.ofHours(1), 8 << 20);
        try (var events = new EventLogService(settings, SeqStamp::withSeq, metrics, System::currentTimeMillis);
             var jetstream = new JetstreamService(events.ring(), events.log(), new TakenDownRepos(10),
                     new JetstreamService.Settings(16, 30_000, 30_000, 1024, 8 << 20, 512, 8 << 20), metrics)) {
            var server = WebServer.builder().host("127.0.0.1").port(0)
                    .addRouting(WsRouting.builder().endpoint(JetstreamService.PATH, jetstream::listener))
                    .shutdownHook(false).build().start();
            var produced = new AtomicLong();
            var stop = new AtomicBoolean();
            var connected = new java.util.concurrent.CountDownLatch(1);
            var producer = Thread.ofPlatform().start(() -> {
                try {
                    java.util.concurrent.CompletableFuture<Long> last = null;
                    for (int i = 0; i < TOTAL && !stop.get(); i++) {
                        var did = "did:plc:switch" + (i % 97);
                        var frame = FirehoseCodec.encode(new IdentityMessage(0, did, "2026-12-03T10:00:00.000Z", null));
                        last = events.sequencer().append(frame, EventKind.IDENTITY, did);
                        last.thenAccept(produced::set);
                        if (i == 8_000) {
                            connected.await(); // the rest arrives while the clients replay and join
                        }
                        if (i % 1000 == 999) {
                            Thread.sleep(10); // bursts
                        }
                    }
                    last.get(30, TimeUnit.SECONDS);
                } catch (Exception e) {
                    throw new RuntimeException(e);
                }
            });
            try {
                await().atMost(Duration.ofSeconds(30)).until(() -> events.log().lastSeq() >= 8_000);
                // a cursor at event 100's time, while thousands more are being written
                long cursor = events.log().read(100, 1, Long.MAX_VALUE).getFirst().timeMicros();
                try (var replay = JetstreamClient.connect(server.port(), "cursor=" + cursor);
                     var live = JetstreamClient.connect(server.port(), "");
                     var zstd = JetstreamClient.connect(server.port(), "compress=true&cursor=" + cursor)) {
                    await().atMost(Duration.ofSeconds(10)).until(() -> jetstream.size() == 3);
                    connected.countDown();
                    producer.join(60_000);
                    long last = events.log().lastSeq();
                    assertThat(last).isEqualTo(TOTAL);
                    await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
                        assertThat(replay.texts).hasSize(TOTAL - 99);
                        assertThat(zstd.binaries).hasSize(TOTAL - 99);
                    });
                    assertContiguous(seqs(replay.texts), 100, TOTAL);
                    var dict = ZstdFrames.loadDictionary();
                    var texts = new ArrayList<String>();
                    try (var ctx = new ZstdDecompressCtx()) {
                        ctx.loadDict(dict);
                        for (var f : zstd.binaries) {
                            texts.add(new String(ctx.decompress(f, (int) Zstd.getFrameContentSize(f)), StandardCharsets.UTF_8));
                        }
                    }
                    assertContiguous(seqs(texts), 100, TOTAL);
                    // the live client started at the head when it connected and got everything after it
                    await().atMost(Duration.ofSeconds(30)).untilAsserted(() ->
                            assertThat(seqs(live.texts).getLast()).isEqualTo(TOTAL));
                    var liveSeqs = seqs(live.texts);
                    assertContiguous(liveSeqs, liveSeqs.getFirst(), TOTAL);
                    assertThat(liveSeqs.getFirst()).isGreaterThan(100);
                }
            } finally {
                stop.set(true);
                connected.countDown();
                producer.join(30_000);
                server.stop();
            }
        }
    }

    private static List<Long> seqs(List<String> texts) throws Exception {
        var out = new ArrayList<Long>(texts.size());
        for (var t : texts) {
            var node = MAPPER.readTree(t);
            assertThat(node.get("kind").asText()).isEqualTo("identity");
            out.add(node.get("identity").get("seq").asLong());
        }
        return out;
    }

    private static void assertContiguous(List<Long> seqs, long from, long to) {
        assertThat(seqs).hasSize((int) (to - from + 1));
        for (int i = 0; i < seqs.size(); i++) {
            if (seqs.get(i) != from + i) {
                throw new AssertionError("at index " + i + ": seq " + seqs.get(i) + ", expected " + (from + i));
            }
        }
    }
}
