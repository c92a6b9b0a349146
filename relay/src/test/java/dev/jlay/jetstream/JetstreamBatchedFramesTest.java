package dev.jlay.jetstream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.jlay.atproto.stream.FirehoseCodec;
import dev.jlay.atproto.stream.IdentityMessage;
import dev.jlay.atproto.stream.SeqStamp;
import dev.jlay.downstream.TakenDownRepos;
import dev.jlay.downstream.WsFrameWriter;
import dev.jlay.eventlog.EventKind;
import dev.jlay.eventlog.EventLogService;
import dev.jlay.eventlog.LogEvent;
import dev.jlay.eventlog.Sequencer;
import dev.jlay.metrics.MetricRegistry;
import dev.jlay.testing.RawWebSocket;
import io.helidon.webserver.WebServer;
import io.helidon.webserver.websocket.WsRouting;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Several events ready at once go out gathered into one write ({@link JetstreamConnection#BATCH_BYTES}):
 * read by a raw WebSocket reader, they must still arrive as exactly those text frames, whole, in
 * order, byte for byte the shared JSON; among them frames with 16-bit and 64-bit length headers,
 * frames over the copy limit (written from the event's own array) and batches that pass the batch
 * limit. Once as a replay from the log, once as a live burst from the ring.
 */
class JetstreamBatchedFramesTest {
    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final String DID = "did:plc:batchtest";

    @TempDir
    Path dir;

    @Test
    void aBatchOfEventsArrivesAsExactlyThoseTextFramesInOrder() throws Exception {
        var metrics = new MetricRegistry();
        var settings = new EventLogService.Settings(dir, 1, 256, 1 << 20, new Sequencer.Options(8192, 1024, 0),
                Duration.ofHours(24), 1L << 34, Duration.ofHours(1), 8 << 20);
        try (var events = new EventLogService(settings, SeqStamp::withSeq, metrics, System::currentTimeMillis);
             var jetstream = new JetstreamService(events.ring(), events.log(), new TakenDownRepos(10),
                     new JetstreamService.Settings(16, 10_000, 30_000, 1024, 8 << 20, 512, 8 << 20), metrics)) {
            var server = WebServer.builder().host("127.0.0.1").port(0)
                    .addRouting(WsRouting.builder().endpoint(JetstreamService.PATH, jetstream::listener))
                    .shutdownHook(false).build().start();
            try {
                var handles = handles(800, 0);
                append(events, handles).get(60, TimeUnit.SECONDS);

                try (var ws = RawWebSocket.open(server.port(), JetstreamService.PATH + "?cursor=1", 0, 30_000)) {
                    long seq = 1;
                    seq = readInOrder(ws, events, handles, seq);

                    // live: the connection waits at the head, then a burst lands in the ring at once
                    await().atMost(Duration.ofSeconds(10)).until(() -> jetstream.list().getFirst().lagEvents() == 0);
                    var burst = handles(400, 1);
                    append(events, burst).get(60, TimeUnit.SECONDS);
                    readInOrder(ws, events, burst, seq);
                }
            } finally {
                server.stop();
            }
        }
    }

    @Test
    void idleConnectionsGetPingsAndEventsStillFollow() throws Exception {
        var metrics = new MetricRegistry();
        var settings = new EventLogService.Settings(dir, 1, 256, 1 << 20, new Sequencer.Options(8192, 1024, 0),
                Duration.ofHours(24), 1L << 34, Duration.ofHours(1), 8 << 20);
        try (var events = new EventLogService(settings, SeqStamp::withSeq, metrics, System::currentTimeMillis);
             var jetstream = new JetstreamService(events.ring(), events.log(), new TakenDownRepos(10),
                     new JetstreamService.Settings(16, 10_000, 100, 1024, 8 << 20, 512, 8 << 20), metrics)) {
            var server = WebServer.builder().host("127.0.0.1").port(0)
                    .addRouting(WsRouting.builder().endpoint(JetstreamService.PATH, jetstream::listener))
                    .shutdownHook(false).build().start();
            try (var ws = RawWebSocket.open(server.port(), JetstreamService.PATH, 0, 10_000)) {
                for (int i = 0; i < 3; i++) {
                    var f = ws.read();
                    assertThat(f.opcode()).isEqualTo(RawWebSocket.PING);
                    assertThat(f.fin()).isTrue();
                    assertThat(f.payload()).isEmpty();
                }
                var handles = handles(40, 2);
                append(events, handles).get(10, TimeUnit.SECONDS);
                readInOrder(ws, events, handles, 1);
            } finally {
                server.stop();
            }
        }
    }

    /**
     * The first half short handles only (JSON of 200-700 bytes, 16-bit length headers: batches pass
     * the 64 KiB limit several times), then every 25th a large one: 3 KB, 20 KB (over the copy
     * limit) and 70 KB (64-bit length header).
     */
    private static List<String> handles(int n, int salt) {
        int[] large = {3_000, WsFrameWriter.COPY_LIMIT + 4_000, 70_000};
        var out = new ArrayList<String>(n);
        for (int i = 0; i < n; i++) {
            int len = i >= n / 2 && i % 25 == 12 ? large[(i / 25 + salt) % large.length] : 1 + (i * 37 + salt) % 500;
            var b = new StringBuilder(len + 8).append(salt).append('-').append(i).append('-');
            while (b.length() < len) {
                b.append((char) ('a' + b.length() % 26));
            }
            out.add(b.toString());
        }
        return out;
    }

    private static CompletableFuture<Long> append(EventLogService events, List<String> handles)
            throws InterruptedException {
        CompletableFuture<Long> last = null;
        for (var h : handles) {
            var frame = FirehoseCodec.encode(new IdentityMessage(0, DID, "2026-01-01T00:00:00.000Z", h));
            last = events.sequencer().append(frame, EventKind.IDENTITY, DID);
        }
        return last;
    }

    /** Reads one text frame per handle (pings skipped): the logged event's JSON, byte for byte; returns the next seq. */
    private static long readInOrder(RawWebSocket ws, EventLogService events, List<String> handles, long seq)
            throws Exception {
        var translator = new JetstreamTranslator();
        boolean sawOverCopyLimit = false;
        for (var handle : handles) {
            RawWebSocket.Frame f;
            do {
                f = ws.read();
            } while (f.opcode() == RawWebSocket.PING);
            assertThat(f.opcode()).as("opcode of seq %d", seq).isEqualTo(1);
            assertThat(f.fin()).isTrue();
            LogEvent logged = events.log().get(seq).orElseThrow();
            byte[] expected = translator.translate(logged).events().getFirst().json();
            assertThat(f.payload()).as("seq %d", seq).isEqualTo(expected);
            var json = MAPPER.readTree(f.payload());
            assertThat(json.path("identity").path("handle").asText()).isEqualTo(handle);
            assertThat(json.path("identity").path("seq").asLong()).isEqualTo(seq);
            sawOverCopyLimit |= f.payload().length > WsFrameWriter.COPY_LIMIT;
            seq++;
        }
        assertThat(sawOverCopyLimit).isEqualTo(handles.stream().anyMatch(h -> h.length() > WsFrameWriter.COPY_LIMIT));
        return seq;
    }
}
