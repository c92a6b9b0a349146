package dev.jlay.bench;

import dev.jlay.eventlog.EventLog;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

/**
 * What the event log's block-cache size does to consumers replaying old cursors: on an existing
 * log (a soak's, millions of events), rounds that alternate the cache sizes given, each opening
 * the log afresh and measuring (1) random cursor seeks, a one-event read at a random seq, and
 * (2) sequential replay in the consumer pump's chunks (512 events, 8 MiB) from a random cursor.
 * The first round warms the page cache and is not reported. Medians over the rounds.
 * Usage: {@code scripts/bench --main dev.jlay.bench.EventLogReplayProbe LOG_DIR ROUNDS SEEKS
 * REPLAY_EVENTS CACHE_BYTES...} (the log is opened read-write: use a copy or a spent soak's).
 */
public final class EventLogReplayProbe {
    private EventLogReplayProbe() {
    }

    private record Round(double seekMicros, double replayEventsPerSecond, double replayMiBPerSecond,
                         long cacheUsage) {
    }

    public static void main(String[] args) {
        if (args.length < 5) {
            System.err.println("usage: EventLogReplayProbe LOG_DIR ROUNDS SEEKS REPLAY_EVENTS CACHE_BYTES...");
            System.exit(2);
        }
        var dir = Path.of(args[0]);
        int rounds = Integer.parseInt(args[1]);
        int seeks = Integer.parseInt(args[2]);
        int replayEvents = Integer.parseInt(args[3]);
        long[] caches = Arrays.stream(args, 4, args.length).mapToLong(Long::parseLong).toArray();
        var results = new ArrayList<List<Round>>();
        for (int i = 0; i < caches.length; i++) results.add(new ArrayList<>());
        var random = new Random(42);
        for (int r = 0; r <= rounds; r++) {
            for (int k = 0; k < caches.length; k++) {
                int c = (r % 2 == 0) ? k : caches.length - 1 - k; // alternate the order
                var round = measure(dir, caches[c], seeks, replayEvents, random.nextLong());
                if (r > 0) results.get(c).add(round);
                System.out.printf("round %d cache %d: seek %.1f us, replay %.0f events/s (%.1f MiB/s), "
                                + "cache usage %d%s%n", r, caches[c], round.seekMicros(), round.replayEventsPerSecond(),
                        round.replayMiBPerSecond(), round.cacheUsage(), r == 0 ? " (warm-up)" : "");
            }
        }
        for (int c = 0; c < caches.length; c++) {
            var list = results.get(c);
            System.out.printf("cache %d bytes: median seek %.1f us, median replay %.0f events/s (%.1f MiB/s), "
                            + "median cache usage %d bytes (%d rounds)%n", caches[c],
                    median(list.stream().mapToDouble(Round::seekMicros).toArray()),
                    median(list.stream().mapToDouble(Round::replayEventsPerSecond).toArray()),
                    median(list.stream().mapToDouble(Round::replayMiBPerSecond).toArray()),
                    (long) median(list.stream().mapToDouble(Round::cacheUsage).toArray()), list.size());
        }
    }

    private static Round measure(Path dir, long cacheBytes, int seeks, int replayEvents, long seed) {
        var random = new Random(seed);
        try (var log = EventLog.open(dir, 1, cacheBytes)) {
            long first = log.firstSeq();
            long last = log.lastSeq();
            if (last - first < replayEvents) {
                throw new IllegalArgumentException("log holds " + (last - first + 1) + " events, fewer than "
                        + replayEvents);
            }
            long t0 = System.nanoTime();
            for (int i = 0; i < seeks; i++) {
                long seq = first + (long) (random.nextDouble() * (last - first));
                if (log.read(seq, 1, Long.MAX_VALUE).isEmpty()) throw new IllegalStateException("no event at " + seq);
            }
            double seekMicros = (System.nanoTime() - t0) / 1e3 / seeks;
            long from = first + (long) (random.nextDouble() * (last - first - replayEvents));
            long read = 0;
            long bytes = 0;
            long t1 = System.nanoTime();
            while (read < replayEvents) {
                var chunk = log.read(from, 512, 8L << 20);
                for (var e : chunk) bytes += e.frame().length;
                read += chunk.size();
                from = chunk.getLast().seq() + 1;
            }
            double seconds = (System.nanoTime() - t1) / 1e9;
            return new Round(seekMicros, read / seconds, bytes / seconds / (1 << 20),
                    log.property("rocksdb.block-cache-usage"));
        }
    }

    private static double median(double[] values) {
        var sorted = values.clone();
        Arrays.sort(sorted);
        int n = sorted.length;
        return n == 0 ? Double.NaN : n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
    }
}
