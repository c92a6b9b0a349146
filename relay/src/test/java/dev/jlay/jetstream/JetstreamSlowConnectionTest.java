package dev.jlay.jetstream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.jlay.atproto.stream.FirehoseCodec;
import dev.jlay.atproto.stream.SeqStamp;
import dev.jlay.atproto.stream.SequencedMessage;
import dev.jlay.downstream.TakenDownRepos;
import dev.jlay.eventlog.EventKind;
import dev.jlay.eventlog.EventLogService;
import dev.jlay.eventlog.Sequencer;
import dev.jlay.metrics.MetricRegistry;
import dev.jlay.pipeline.FrameFile;
import dev.jlay.testing.JetstreamClient;
import dev.jlay.testing.RealworldHosts;
import io.helidon.webserver.WebServer;
import io.helidon.webserver.websocket.WsRouting;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The firehose's rule on /subscribe: a connection whose socket write makes no progress for the
 * write timeout (a client that stopped reading) is cut, counted and removed; one catching up from
 * the log, however far behind, keeps writing and is never kicked.
 */
class JetstreamSlowConnectionTest {
    private static final int EVENTS = 12_000;

    @TempDir
    Path dir;

    @Test
    void aClientThatStopsReadingIsCutAndOneCatchingUpIsNot() throws Exception {
        var metrics = new MetricRegistry();
        var settings = new EventLogService.Settings(dir, 1, 256, 1 << 20, new Sequencer.Options(8192, 1024, 0),
                Duration.ofHours(24), 1L << 34, Duration.ofHours(1), 8 << 20);
        var frames = FrameFile.read(RealworldHosts.dir().resolve("bsky-network-a.frames"));
        try (var events = new EventLogService(settings, SeqStamp::withSeq, metrics, System::currentTimeMillis);
             var jetstream = new JetstreamService(events.ring(), events.log(), new TakenDownRepos(10),
                     new JetstreamService.Settings(16, 1_000, 30_000, 1024, 8 << 20, 512, 8 << 20), metrics)) {
            var server = WebServer.builder().host("127.0.0.1").port(0)
                    .addRouting(WsRouting.builder().endpoint(JetstreamService.PATH, jetstream::listener))
                    .shutdownHook(false).build().start();
            try {
                // a client that never asks the JDK for a message: its socket fills, the relay's write blocks
                var closed = new CompletableFuture<String>();
                var stuck = HttpClient.newHttpClient().newWebSocketBuilder().buildAsync(
                        URI.create("ws://127.0.0.1:" + server.port() + JetstreamService.PATH), new WebSocket.Listener() {
                            @Override
                            public void onOpen(WebSocket webSocket) {
                                // no request(): nothing is read
                            }

                            @Override
                            public void onError(WebSocket webSocket, Throwable error) {
                                closed.complete("error " + error);
                            }
                        }).get(10, TimeUnit.SECONDS);
                await().atMost(Duration.ofSeconds(10)).until(() -> jetstream.size() == 1);
                java.util.concurrent.CompletableFuture<Long> last = null;
                for (int i = 0; i < EVENTS; i++) {
                    var f = frames.get(i % frames.size());
                    last = events.sequencer().append(f, EventKind.COMMIT, ((SequencedMessage) FirehoseCodec.decode(f)).did());
                }
                last.get(60, TimeUnit.SECONDS);
                await().atMost(Duration.ofSeconds(30)).until(() -> jetstream.tooSlowKicks() == 1);
                await().atMost(Duration.ofSeconds(10)).until(() -> jetstream.size() == 0);
                assertThat(metrics.render()).contains("relay_jetstream_kicks_total{reason=\"too_slow\"} 1");
                stuck.abort();

                // a client replaying everything from the log reads on: never judged too slow
                try (var replay = JetstreamClient.connect(server.port(), "cursor=1")) {
                    await().atMost(Duration.ofSeconds(60)).until(() -> replay.texts.size() >= EVENTS);
                    assertThat(replay.closed).isNotDone();
                }
                assertThat(jetstream.tooSlowKicks()).isEqualTo(1);
            } finally {
                server.stop();
            }
        }
    }
}
