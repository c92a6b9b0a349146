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
import io.helidon.webserver.http1.Http1Config;
import io.helidon.webserver.websocket.WsRouting;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * The relay's own CPU per delivered {@code /subscribe} event, the consumers in another process (issue
 * 17's target: at most 5 µs). This JVM holds what a relay holds for Jetstream: the real sequencer and
 * RocksDB log, the Jetstream service on a Helidon WebSocket server (the API socket's 512 KiB request
 * line, so the DID lists go in the URL). A child JVM ({@link JetstreamProbeClients}) opens 100 JDK
 * WebSockets with mixed filters (25 none, 25 one collection, 25 a prefix, 25 with 1,000 DIDs in the
 * URL, 50 of them in the log; half of each compressed), reads and discards. The 100 real
 * bsky.network commits of shared/realworld are sequenced at a paced rate. Reported over a steady
 * window: this process's CPU (utime + stime, all threads: sequencer, log writes, translation,
 * filtering, socket writes) per delivered event; the same less what the same rate costs with no
 * consumer (measured first), i.e. the fan-out's own share; the clients' CPU per delivered event; and
 * heap allocated in this JVM per delivered and per log event.
 * Usage: {@code scripts/bench --main dev.jlay.bench.JetstreamRelayShareProbe [eventsPerSecond] [seconds]}
 */
public final class JetstreamRelayShareProbe {
    private JetstreamRelayShareProbe() {
    }

    public static void main(String[] args) throws Exception {
        int rate = args.length > 0 ? Integer.parseInt(args[0]) : 2000;
        int seconds = args.length > 1 ? Integer.parseInt(args[1]) : 20;
        int baselineSeconds = Math.max(5, seconds / 3);
        var frames = FrameFile.read(CorpusData.corpusDir().getParent().resolve("realworld/bsky-network-a.frames"));
        var dids = new ArrayList<String>();
        for (var f : frames) {
            dids.add(((SequencedMessage) FirehoseCodec.decode(f)).did());
        }
        var dir = Files.createTempDirectory("jetstream-relay-share-probe");
        var metrics = new MetricRegistry();
        var settings = new EventLogService.Settings(dir, 1, 65_536, 256L << 20, new Sequencer.Options(8192, 1024, 2_000_000),
                Duration.ofHours(24), 1L << 36, Duration.ofHours(1), 8L << 20);
        Process clients = null;
        try (var events = new EventLogService(settings, SeqStamp::withSeq, metrics, System::currentTimeMillis);
             var jetstream = new JetstreamService(events.ring(), events.log(), new TakenDownRepos(10),
                     new JetstreamService.Settings(256, 30_000, 30_000, 16_384, 64L << 20, 512, 8L << 20), metrics)) {
            var server = WebServer.builder().host("127.0.0.1").port(0)
                    .connectionOptions(o -> o.tcpNoDelay(true))
                    .addProtocol(Http1Config.builder().maxPrologueLength(512 << 10).build())
                    .addRouting(WsRouting.builder().endpoint(JetstreamService.PATH, jetstream::listener))
                    .shutdownHook(false).build().start();
            var os = (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();

            // what the same rate costs this process with nobody connected: sequencer, log writes
            produce(events, frames, dids, rate, 2);
            long base0 = os.getProcessCpuTime();
            long baseEvents = produce(events, frames, dids, rate, baselineSeconds);
            Thread.sleep(1000);
            double baseCpuPerLogEvent = (double) (os.getProcessCpuTime() - base0) / baseEvents;

            var queryFile = dir.resolve("queries.txt");
            Files.write(queryFile, queries(dids), StandardCharsets.UTF_8);
            var java = ProcessHandle.current().info().command().orElse("java");
            clients = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"),
                    JetstreamProbeClients.class.getName(), String.valueOf(server.port()), queryFile.toString())
                    .redirectError(ProcessBuilder.Redirect.INHERIT).start();
            var fromClients = new BufferedReader(new InputStreamReader(clients.getInputStream(), StandardCharsets.UTF_8));
            var toClients = new PrintStream(clients.getOutputStream(), true, StandardCharsets.UTF_8);
            String ready = fromClients.readLine();
            if (ready == null || !ready.startsWith("ready")) {
                throw new IllegalStateException("clients did not start: " + ready);
            }
            for (int i = 0; i < 100 && jetstream.size() < 100; i++) Thread.sleep(100);
            if (jetstream.size() != 100) throw new IllegalStateException("connections: " + jetstream.size());

            // warm-up at the rate, not counted
            produce(events, frames, dids, rate, 3);
            waitQuiet(toClients, fromClients);
            long[] c0 = count(toClients, fromClients);
            long cpu0 = os.getProcessCpuTime();
            long alloc0 = allocated();
            long t0 = System.nanoTime();
            long logEvents = produce(events, frames, dids, rate, seconds);
            long[] c1 = waitQuiet(toClients, fromClients); // every delivery of the window is in
            long wall = System.nanoTime() - t0;
            long cpu = os.getProcessCpuTime() - cpu0;
            long alloc = allocated() - alloc0;
            long delivered = c1[0] - c0[0];
            long clientCpu = c1[1] - c0[1];
            System.out.printf("%d connections (clients in their own JVM), %,d log events at %d/s over %d s: "
                            + "%,d events delivered (%.1f per log event), %.1f s wall%n",
                    jetstream.size(), logEvents, rate, seconds, delivered, (double) delivered / logEvents, wall / 1e9);
            System.out.printf("relay process CPU %.2f s (%.0f%% of one core) = %.2f us per delivered event%n",
                    cpu / 1e9, 100.0 * cpu / wall, cpu / 1e3 / delivered);
            System.out.printf("  less the same rate with no consumer (%.1f us per log event, %d s before): "
                            + "%.2f us per delivered event%n", baseCpuPerLogEvent / 1e3, baselineSeconds,
                    (cpu - baseCpuPerLogEvent * logEvents) / 1e3 / delivered);
            System.out.printf("clients process CPU %.2f s = %.2f us per delivered event%n",
                    clientCpu / 1e9, clientCpu / 1e3 / delivered);
            System.out.printf("relay heap allocated %.0f B per delivered event, %.1f KB per log event%n",
                    (double) alloc / delivered, alloc / 1024.0 / logEvents);
            toClients.close();
            clients.waitFor(10, TimeUnit.SECONDS);
            server.stop();
        } finally {
            if (clients != null) clients.destroyForcibly();
            try (var files = Files.walk(dir)) {
                files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    /** 100 query strings: none, one collection, a prefix, 1,000 DIDs in the URL; every other group compressed. */
    private static List<String> queries(List<String> dids) {
        var didQuery = new StringBuilder();
        for (int i = 0; i < 1000; i++) {
            String did = i < 50 ? dids.get(i) : "did:plc:probe" + i;
            didQuery.append(i == 0 ? "" : "&").append("wantedDids=").append(did.replace(":", "%3A"));
        }
        String[] kinds = {"", "wantedCollections=app.bsky.feed.like", "wantedCollections=app.bsky.graph.*",
                didQuery.toString()};
        var out = new ArrayList<String>();
        for (int i = 0; i < 100; i++) {
            String q = kinds[i % 4];
            boolean compress = (i / 4) % 2 == 1;
            out.add(compress ? (q.isEmpty() ? "compress=true" : q + "&compress=true") : q);
        }
        return out;
    }

    /** The clients' message count and CPU nanos. */
    private static long[] count(PrintStream to, BufferedReader from) throws Exception {
        to.println("count");
        String line = from.readLine();
        if (line == null || !line.startsWith("count ")) throw new IllegalStateException("clients: " + line);
        var parts = line.split(" ");
        return new long[] {Long.parseLong(parts[1]), Long.parseLong(parts[2])};
    }

    /** Polls until the clients' count has not moved for 2 s. */
    private static long[] waitQuiet(PrintStream to, BufferedReader from) throws Exception {
        long[] last = count(to, from);
        for (int quiet = 0; quiet < 4; ) {
            Thread.sleep(500);
            long[] now = count(to, from);
            quiet = now[0] == last[0] ? quiet + 1 : 0;
            last = now;
        }
        return last;
    }

    /** Sequences the realworld commits at {@code rate} per second for {@code seconds}; returns how many. */
    private static long produce(EventLogService events, List<byte[]> frames, List<String> dids, int rate, int seconds)
            throws Exception {
        long total = (long) rate * seconds;
        long start = System.nanoTime();
        CompletableFuture<Long> last = null;
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

    /** Heap allocated so far by every thread of this process (the JVM's own approximation). */
    private static long allocated() {
        return ((com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean()).getTotalThreadAllocatedBytes();
    }
}
