package dev.jlay.eventlog;

import static org.assertj.core.api.Assertions.assertThat;

import dev.jlay.metrics.MetricRegistry;
import dev.jlay.testing.SeqStampedFrames;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The log's time index (Jetstream's {@code time_us} cursor): written in the event's batch, one
 * seek from a microsecond time to the first event at or after it, trimmed with retention, and
 * times from the sequencer that strictly increase even when the millisecond clock stands still.
 */
class TimeIndexTest {
    @TempDir
    Path dir;

    /** Events {@code from..from+count-1}, event i at {@code baseMicros + 10 * i} microseconds. */
    private static List<LogEvent> events(long from, int count, long baseMicros) {
        var list = new ArrayList<LogEvent>();
        for (int i = 0; i < count; i++) {
            long seq = from + i;
            long micros = baseMicros + 10L * (seq - 1);
            list.add(new LogEvent(seq, EventKind.COMMIT, "did:plc:t" + seq, 0, micros / 1000,
                    SeqStampedFrames.stamped(seq, SeqStampedFrames.payload(seq, 50)), null, micros));
        }
        return list;
    }

    @Test
    void aMicrosecondCursorFindsTheFirstEventAtOrAfterIt() {
        long base = 1_783_175_888_000_000L;
        try (var log = EventLog.open(dir, 1, 1 << 20)) {
            assertThat(log.firstSeqAtOrAfterMicros(base)).as("empty log: live").isEqualTo(1);
            log.append(events(1, 500, base));
            log.flush();
            log.append(events(501, 500, base));
            assertThat(log.firstSeqAtOrAfterMicros(base)).isEqualTo(1);
            assertThat(log.firstSeqAtOrAfterMicros(base + 10 * 41)).as("exactly event 42").isEqualTo(42);
            assertThat(log.firstSeqAtOrAfterMicros(base + 10 * 41 + 1)).as("between 42 and 43").isEqualTo(43);
            assertThat(log.firstSeqAtOrAfterMicros(base + 10 * 700)).as("in the memtable").isEqualTo(701);
            assertThat(log.firstSeqAtOrAfterMicros(0)).as("older than the log: the oldest").isEqualTo(1);
            assertThat(log.firstSeqAtOrAfterMicros(base + 10 * 999 + 1)).as("after the newest: live").isEqualTo(1001);
            // read back, each event keeps its time
            assertThat(log.read(42, 1, Long.MAX_VALUE).getFirst().timeMicros()).isEqualTo(base + 410);

            // retention trims the index with the events
            log.deleteBefore(300);
            assertThat(log.firstSeqAtOrAfterMicros(0)).isEqualTo(300);
            assertThat(log.firstSeqAtOrAfterMicros(base + 10 * 41)).isEqualTo(300);
            assertThat(log.firstSeqAtOrAfterMicros(base + 10 * 400)).isEqualTo(401);
        }
        // and it survives a reopen
        try (var log = EventLog.open(dir, 1, 1 << 20)) {
            assertThat(log.firstSeqAtOrAfterMicros(base + 10 * 400)).isEqualTo(401);
        }
    }

    @Test
    void eventsWithoutMicrosecondsOfTheirOwnAreIndexedAtTheirMillisecond() {
        try (var log = EventLog.open(dir, 1, 1 << 20)) {
            // made as before the index (no microseconds given: millis * 1000)
            var old = new ArrayList<LogEvent>();
            for (long seq = 1; seq <= 10; seq++) {
                old.add(new LogEvent(seq, EventKind.COMMIT, null, 0, 1_000 + seq, new byte[] {1}));
            }
            log.append(old);
            assertThat(log.firstSeqAtOrAfterMicros(1_005_000)).isEqualTo(5);
        }
    }

    @Test
    void theSequencerGivesStrictlyIncreasingMicrosecondsUnderAStillClock() throws Exception {
        try (var log = EventLog.open(dir, 1, 1 << 20)) {
            var ring = new EventRing(64, 1 << 20, log.lastSeq());
            var sequencer = new Sequencer(log, ring, (frame, seq) -> frame,
                    new Sequencer.Options(1024, 256, 0), new MetricRegistry(), () -> 5_000L).start();
            try {
                var last = sequencer.append(new byte[] {1}, EventKind.COMMIT, "did:plc:a");
                for (int i = 0; i < 99; i++) {
                    last = sequencer.append(new byte[] {1}, EventKind.COMMIT, "did:plc:a");
                }
                last.get(10, TimeUnit.SECONDS);
            } finally {
                sequencer.close();
            }
            var all = log.read(1, 1000, Long.MAX_VALUE);
            assertThat(all).hasSize(100);
            for (int i = 0; i < all.size(); i++) {
                assertThat(all.get(i).timeMillis()).isEqualTo(5_000);
                assertThat(all.get(i).timeMicros()).isEqualTo(5_000_000 + i);
            }
            assertThat(log.firstSeqAtOrAfterMicros(5_000_050)).isEqualTo(51);
        }
    }

    /**
     * "Seeks in O(log n) and never scans", counted rather than timed: RocksDB's per-thread perf
     * context counts what one {@code firstSeqAtOrAfterMicros} reads. A log of 1,000 events and one of
     * 200,000 (reopened, so recovery has flushed the time index to a table file, read cold) read the
     * same few blocks and step over no key; a scan to the middle of the large one would step over
     * 100,000 keys and read hundreds of blocks.
     */
    @Test
    void aCursorSeekReadsAFewBlocksWhateverTheLogHolds() throws Exception {
        long base = 1_783_175_888_000_000L;
        try (var small = EventLog.open(dir.resolve("small"), 1, 1 << 20)) {
            small.append(events(1, 1_000, base));
        }
        try (var large = EventLog.open(dir.resolve("large"), 1, 1 << 20)) {
            for (int from = 1; from <= 200_000; from += 10_000) {
                large.append(events(from, 10_000, base));
            }
        }
        // the perf context is the calling thread's, for every database: any open handle sets and reads it
        try (var perfHandle = org.rocksdb.RocksDB.open(dir.resolve("perf").toString());
             var small = EventLog.open(dir.resolve("small"), 1, 1 << 20);
             var large = EventLog.open(dir.resolve("large"), 1, 1 << 20)) {
            var smallRead = seekCost(perfHandle, small, base + 10 * 499 + 5, 501);
            var largeRead = seekCost(perfHandle, large, base + 10 * 99_999 + 5, 100_001);
            System.out.printf("time-index seek: 1,000 events %s; 200,000 events %s%n", smallRead, largeRead);
            assertThat(largeRead.keysSkipped()).as("keys stepped over").isZero();
            assertThat(largeRead.nextsOnMemtable()).as("iterator steps in the memtable").isZero();
            assertThat(largeRead.blocksRead()).as("blocks read for one seek").isPositive().isLessThanOrEqualTo(8);
            // O(log n): 200 times the keys costs a few more comparisons, not 200 times as many
            assertThat(largeRead.comparisons()).isPositive().isLessThan(smallRead.comparisons() * 4);
            // newer events in the memtable: a cursor among them costs as little
            large.append(events(200_001, 20_000, base));
            var memtableRead = seekCost(perfHandle, large, base + 10 * 209_999 + 5, 210_001);
            System.out.printf("time-index seek in the memtable: %s%n", memtableRead);
            assertThat(memtableRead.keysSkipped()).isZero();
            assertThat(memtableRead.nextsOnMemtable()).isLessThanOrEqualTo(1);
            assertThat(memtableRead.blocksRead()).isLessThanOrEqualTo(8);
        }
    }

    private record SeekCost(long blocksRead, long comparisons, long keysSkipped, long nextsOnMemtable) {}

    private static SeekCost seekCost(org.rocksdb.RocksDB perfHandle, EventLog log, long micros, long expectedSeq) {
        perfHandle.setPerfLevel(org.rocksdb.PerfLevel.ENABLE_COUNT);
        var perf = perfHandle.getPerfContext();
        perf.reset();
        long seq = log.firstSeqAtOrAfterMicros(micros);
        var cost = new SeekCost(perf.getBlockReadCount(), perf.getUserKeyComparisonCount(),
                perf.getInternalKeySkippedCount(), perf.getNextOnMemtableCount());
        perfHandle.setPerfLevel(org.rocksdb.PerfLevel.DISABLE);
        assertThat(seq).isEqualTo(expectedSeq);
        return cost;
    }
}
