package dev.jlay.bench;

import dev.jlay.atproto.stream.FirehoseCodec;
import dev.jlay.atproto.stream.IdentityMessage;
import dev.jlay.atproto.stream.SequencedMessage;
import dev.jlay.eventlog.EventKind;
import dev.jlay.eventlog.EventLog;
import dev.jlay.eventlog.LogEvent;
import dev.jlay.jetstream.JetstreamEvent;
import dev.jlay.jetstream.JetstreamFilter;
import dev.jlay.jetstream.JetstreamTranslator;
import dev.jlay.jetstream.ZstdFrames;
import dev.jlay.pipeline.FrameFile;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * The CPU and heap cost of {@code /subscribe}, per thread CPU time (the machine is shared), on the
 * 100 real bsky.network frames of shared/realworld (plus one identity event in 20):
 * <ul>
 *   <li>{@code translate}: one log event to its Jetstream JSON events; {@code compress}: one zstd frame.
 *   <li>{@code fanout}: what the relay does per event for 100 connections with mixed filters (25 none,
 *       25 one collection, 25 a prefix, 25 with 1,000 DIDs; half of each group compressed): translate
 *       once, then per connection filter and take the shared bytes (text, or the zstd frame made
 *       once). Reported per delivered event. The socket write itself (Helidon's) is not in it.
 *   <li>{@code replay}: one connection reading a RocksDB log of N events in the pump's batches
 *       (512 events / 8 MiB) and translating each, uncompressed and compressed.
 * </ul>
 * Usage: {@code scripts/bench --main dev.jlay.bench.JetstreamCpuProbe [cpuSecondsPerRound] [rounds] [replayEvents]}
 */
public final class JetstreamCpuProbe {
    private static final com.sun.management.ThreadMXBean MX =
            (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();

    private JetstreamCpuProbe() {
    }

    public static void main(String[] args) throws IOException {
        var probe = CpuProbe.fromArgs(args);
        int replayEvents = args.length > 2 ? Integer.parseInt(args[2]) : 200_000;
        var events = events();
        var translator = new JetstreamTranslator();
        try (var zstd = new ZstdFrames()) {
            var r = probe.run(k -> !translator.translate(events.get(k % events.size())).events().isEmpty()
                    || events.get(k % events.size()).kind() != EventKind.COMMIT);
            print("translate", r.median(), r.min(), r.max(), r.bytesPerOp(), "per log event");
            var json = new ArrayList<byte[]>();
            for (var e : events) {
                for (var j : translator.translate(e).events()) {
                    json.add(j.json());
                }
            }
            r = probe.run(k -> zstd.compress(json.get(k % json.size())).length > 0);
            print("compress", r.median(), r.min(), r.max(), r.bytesPerOp(), "per JSON event");

            var filters = filters(events);
            long[] delivered = {0};
            long[] ops = {0};
            r = probe.run(k -> {
                ops[0]++;
                var t = translator.translate(events.get(k % events.size()));
                int n = 0;
                for (var e : t.events()) {
                    for (int c = 0; c < filters.size(); c++) {
                        if (filters.get(c).wants(e)) {
                            n += (c & 1) == 0 ? e.text().length() : e.compressed(zstd).length;
                            delivered[0]++;
                        }
                    }
                }
                return n > 0;
            });
            double perOp = (double) delivered[0] / ops[0];
            double nsPerDelivered = 1e9 / r.median() / perOp;
            System.out.printf("%-10s %,10.0f log events/cpu-s  %,8.0f B/log event  %.1f delivered per log event "
                            + "-> %.2f us CPU per delivered event (min-max %.2f-%.2f)%n", "fanout", r.median(),
                    r.bytesPerOp(), perOp, nsPerDelivered / 1000, 1e6 / r.max() / perOp, 1e6 / r.min() / perOp);
            replay(events, translator, zstd, replayEvents);
        }
    }

    private static void print(String op, double median, double min, double max, double bytes, String unit) {
        System.out.printf("%-10s %,10.0f ops/cpu-s (min %,.0f, max %,.0f)  %,8.0f B/op  %s%n", op, median, min, max,
                bytes, unit);
    }

    /** The realworld commits, with one identity event after every 19. */
    private static List<LogEvent> events() throws IOException {
        var frames = FrameFile.read(sharedDir().resolve("realworld/bsky-network-a.frames"));
        var out = new ArrayList<LogEvent>();
        long seq = 1;
        for (var f : frames) {
            var did = ((SequencedMessage) FirehoseCodec.decode(f)).did();
            out.add(new LogEvent(seq++, EventKind.COMMIT, did, 0, 1, f, null, seq * 10));
            if (seq % 20 == 0) {
                var id = FirehoseCodec.encode(new IdentityMessage(seq, did, "2026-12-03T10:00:00.000Z", null));
                out.add(new LogEvent(seq++, EventKind.IDENTITY, did, 0, 1, id, null, seq * 10));
            }
        }
        return out;
    }

    /** 100 connections: 25 unfiltered, 25 likes, 25 app.bsky.graph.*, 25 with 1,000 DIDs (50 of them real). */
    private static List<JetstreamFilter> filters(List<LogEvent> events) {
        try {
            var dids = new ArrayList<String>();
            events.stream().map(LogEvent::did).distinct().limit(50).forEach(dids::add);
            for (int i = dids.size(); i < 1000; i++) {
                dids.add("did:plc:probe" + i);
            }
            var out = new ArrayList<JetstreamFilter>();
            for (int i = 0; i < 25; i++) {
                out.add(JetstreamFilter.ALL);
                out.add(JetstreamFilter.parse(List.of("app.bsky.feed.like"), null, 0));
                out.add(JetstreamFilter.parse(List.of("app.bsky.graph.*"), null, 0));
                out.add(JetstreamFilter.parse(null, dids, 0));
            }
            return out;
        } catch (JetstreamFilter.InvalidOptionsException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void replay(List<LogEvent> events, JetstreamTranslator translator, ZstdFrames zstd, int n)
            throws IOException {
        var dir = Files.createTempDirectory("jetstream-replay-probe");
        try (var log = EventLog.open(dir, 1, 8L << 20)) {
            var batch = new ArrayList<LogEvent>();
            for (int i = 0; i < n; i++) {
                var e = events.get(i % events.size());
                batch.add(new LogEvent(i + 1L, e.kind(), e.did(), 0, 1 + i / 1000, e.frame(), null, 1_000L + i));
                if (batch.size() == 1000) {
                    log.append(batch);
                    batch.clear();
                }
            }
            log.append(batch);
            log.flush();
            for (boolean compress : new boolean[] {false, true, false, true}) {
                long tid = Thread.currentThread().threadId();
                long cpu0 = MX.getCurrentThreadCpuTime();
                long alloc0 = MX.getThreadAllocatedBytes(tid);
                long t0 = System.nanoTime();
                long sent = 0;
                long next = 1;
                while (next <= n) {
                    var read = log.read(next, 512, 8L << 20);
                    for (var e : read) {
                        for (JetstreamEvent j : translator.translate(e).events()) {
                            sent += compress ? j.compressed(zstd).length : j.text().length();
                        }
                        next = e.seq() + 1;
                    }
                }
                double wall = (System.nanoTime() - t0) / 1e9;
                double cpu = (MX.getCurrentThreadCpuTime() - cpu0) / 1e9;
                double alloc = (double) (MX.getThreadAllocatedBytes(tid) - alloc0) / n;
                System.out.printf("replay%-4s %,d log events: %,10.0f events/s wall, %,10.0f events/cpu-s, %,6.0f B/event "
                        + "(%,d bytes out)%n", compress ? "+zstd" : "", n, n / wall, n / cpu, alloc, sent);
            }
        } finally {
            try (var files = Files.walk(dir)) {
                files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    private static Path sharedDir() {
        var corpus = CorpusData.corpusDir();
        return corpus.getParent();
    }
}
