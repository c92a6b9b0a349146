package dev.jlay.bench;

import dev.jlay.atproto.stream.FirehoseCodec;
import dev.jlay.atproto.stream.SeqStamp;
import dev.jlay.atproto.stream.SequencedMessage;
import dev.jlay.downstream.TakenDownRepos;
import dev.jlay.eventlog.EventKind;
import dev.jlay.eventlog.EventLogService;
import dev.jlay.eventlog.Sequencer;
import dev.jlay.jetstream.JetstreamService;
import dev.jlay.metrics.MetricRegistry;
import dev.jlay.pipeline.FrameFile;
import io.helidon.webserver.WebServer;
import io.helidon.webserver.websocket.WsRouting;
import java.lang.management.ManagementFactory;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * {@code /subscribe} end to end, in one process: the real sequencer and RocksDB log, the Jetstream
 * service on a Helidon WebSocket server, and 100 JDK WebSocket clients on loopback with mixed
 * filters (25 none, 25 one collection, 25 a prefix, 25 with 1,000 DIDs; half of each compressed),
 * while the 100 real bsky.network commits of shared/realworld are sequenced at a paced rate. Reports
 * the process's CPU time per delivered event: an upper bound on the relay's share, since it also
 * holds the 100 clients' receive side, the sequencer and the log writes ({@link JetstreamRelayShareProbe}
 * puts the clients in another JVM and measures the relay alone).
 * Usage: {@code scripts/bench --main dev.jlay.bench.JetstreamFanoutProbe [eventsPerSecond] [seconds]}
 */
public final class JetstreamFanoutProbe {
    private JetstreamFanoutProbe() {
    }

    /** Counts what one client receives. */
    private static final class Counting implements WebSocket.Listener {
        final AtomicLong messages = new AtomicLong();

        @Override
        public CompletionStage<?> onText(WebSocket ws, CharSequence data, boolean last) {
            if (last) {
                messages.incrementAndGet();
            }
            ws.request(1);
            return null;
        }

        @Override
        public CompletionStage<?> onBinary(WebSocket ws, ByteBuffer data, boolean last) {
            if (last) {
                messages.incrementAndGet();
            }
            ws.request(1);
            return null;
        }
    }

    public static void main(String[] args) throws Exception {
        int rate = args.length > 0 ? Integer.parseInt(args[0]) : 2000;
        int seconds = args.length > 1 ? Integer.parseInt(args[1]) : 20;
        var frames = FrameFile.read(CorpusData.corpusDir().getParent().resolve("realworld/bsky-network-a.frames"));
        var dids = new ArrayList<String>();
        for (var f : frames) {
            dids.add(((SequencedMessage) FirehoseCodec.decode(f)).did());
        }
        var dir = Files.createTempDirectory("jetstream-fanout-probe");
        var metrics = new MetricRegistry();
        var settings = new EventLogService.Settings(dir, 1, 65_536, 256L << 20, new Sequencer.Options(8192, 1024, 2_000_000),
                Duration.ofHours(24), 1L << 36, Duration.ofHours(1), 8L << 20);
        try (var events = new EventLogService(settings, SeqStamp::withSeq, metrics, System::currentTimeMillis);
             var jetstream = new JetstreamService(events.ring(), events.log(), new TakenDownRepos(10),
                     new JetstreamService.Settings(256, 30_000, 30_000, 16_384, 64L << 20, 512, 8L << 20), metrics)) {
            var server = WebServer.builder().host("127.0.0.1").port(0)
                    .addRouting(WsRouting.builder().endpoint(JetstreamService.PATH, jetstream::listener))
                    .shutdownHook(false).build().start();
            var http = HttpClient.newHttpClient();
            // this server keeps Helidon's 4 KiB request line (the relay's API port reads 512 KiB, and
            // JetstreamRelayShareProbe puts the DIDs in the URL): sent as options_update after requireHello, as
            // @atcute/jetstream always sends its filters
            var didUpdate = new StringBuilder("{\"type\":\"options_update\",\"payload\":{\"wantedDids\":[");
            for (int i = 0; i < 1000; i++) {
                String did = i < 50 ? dids.get(i) : "did:plc:probe" + i;
                didUpdate.append(i == 0 ? "" : ",").append('"').append(did).append('"');
            }
            didUpdate.append("]}}");
            String[] queries = {"", "wantedCollections=app.bsky.feed.like", "wantedCollections=app.bsky.graph.*",
                    "requireHello=true"};
            var clients = new ArrayList<Counting>();
            var sockets = new ArrayList<WebSocket>();
            for (int i = 0; i < 100; i++) {
                var c = new Counting();
                String q = queries[i % 4] + ((i / 4) % 2 == 0 ? "" : (queries[i % 4].isEmpty() ? "" : "&") + "compress=true");
                var ws = http.newWebSocketBuilder().buildAsync(
                        URI.create("ws://127.0.0.1:" + server.port() + "/subscribe?" + q), c).get(10, TimeUnit.SECONDS);
                if (i % 4 == 3) {
                    ws.sendText(didUpdate.toString(), true).get(10, TimeUnit.SECONDS);
                }
                sockets.add(ws);
                clients.add(c);
            }
            var os = (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
            // warm-up: 3 s at the rate, not counted
            produce(events, frames, dids, rate, 3);
            for (long seen = -1, now; (now = clients.stream().mapToLong(c -> c.messages.get()).sum()) != seen; seen = now) {
                Thread.sleep(1000);
            }
            long delivered0 = clients.stream().mapToLong(c -> c.messages.get()).sum();
            long cpu0 = os.getProcessCpuTime();
            long gc0 = gcBytes();
            long t0 = System.nanoTime();
            long logEvents = produce(events, frames, dids, rate, seconds);
            // until every client has what it will get (nothing more for 2 s), so the CPU covers all deliveries
            long seen = -1;
            for (int quiet = 0; quiet < 4; ) {
                Thread.sleep(500);
                long now = clients.stream().mapToLong(c -> c.messages.get()).sum();
                quiet = now == seen ? quiet + 1 : 0;
                seen = now;
            }
            long wall = System.nanoTime() - t0;
            long cpu = os.getProcessCpuTime() - cpu0;
            long delivered = clients.stream().mapToLong(c -> c.messages.get()).sum() - delivered0;
            System.out.printf("%d connections, %,d log events at %d/s over %d s: %,d events delivered (%.1f per log event)%n",
                    clients.size(), logEvents, rate, seconds, delivered, (double) delivered / logEvents);
            System.out.printf("process CPU %.2f s (%.0f%% of one core over %.1f s wall) = %.2f us per delivered event "
                            + "(relay, clients, sequencer and log together); heap allocated %.1f KB per log event (process-wide)%n",
                    cpu / 1e9, 100.0 * cpu / wall, wall / 1e9, cpu / 1e3 / delivered, (gcBytes() - gc0) / 1024.0 / logEvents);
            sockets.forEach(WebSocket::abort);
            server.stop();
        } finally {
            try (var files = Files.walk(dir)) {
                files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    /** Sequences the realworld commits at {@code rate} per second for {@code seconds}; returns how many. */
    private static long produce(EventLogService events, List<byte[]> frames, List<String> dids, int rate, int seconds)
            throws Exception {
        long total = (long) rate * seconds;
        long start = System.nanoTime();
        java.util.concurrent.CompletableFuture<Long> last = null;
        for (long i = 0; i < total; i++) {
            long due = start + i * 1_000_000_000L / rate;
            long wait = due - System.nanoTime();
            if (wait > 1_000_000) {
                Thread.sleep(wait / 1_000_000);
            }
            int k = (int) (i % frames.size());
            last = events.sequencer().append(frames.get(k), EventKind.COMMIT, dids.get(k));
        }
        if (last != null) {
            last.get(30, TimeUnit.SECONDS);
        }
        return total;
    }

    /** Heap allocated so far by every thread of the process (the JVM's own approximation). */
    private static long gcBytes() {
        return ((com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean()).getTotalThreadAllocatedBytes();
    }
}
