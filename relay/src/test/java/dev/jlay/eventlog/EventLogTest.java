package dev.jlay.eventlog;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.jlay.testing.SeqStampedFrames;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EventLogTest {
    @TempDir
    Path dir;

    private static List<LogEvent> events(long fromSeq, int count, long timeMillis, int size) {
        var list = new ArrayList<LogEvent>();
        for (int i = 0; i < count; i++) {
            long seq = fromSeq + i;
            var kind = EventKind.values()[(int) (seq % EventKind.values().length)];
            list.add(new LogEvent(seq, kind, "did:plc:acct" + seq, (int) (seq % 2), timeMillis + i,
                    SeqStampedFrames.stamped(seq, SeqStampedFrames.payload(seq, size))));
        }
        return list;
    }

    /**
     * Writes {@code files} flushed SST files of {@code batches} x 200 events of 1,000 bytes (200 KB a
     * batch), each event's time equal to its seq; returns the next seq.
     */
    private static long fillFiles(EventLog log, int files, int batches) {
        long seq = 1;
        for (int file = 0; file < files; file++) {
            for (int batch = 0; batch < batches; batch++) {
                var list = new ArrayList<LogEvent>();
                for (var e : events(seq, 200, 0, 1_000)) {
                    list.add(new LogEvent(e.seq(), e.kind(), e.did(), e.flags(), e.seq(), e.frame()));
                }
                log.append(list);
                seq += 200;
            }
            log.flush();
        }
        return seq;
    }

    @Test
    void aFrameTooBigForTheDirectBufferIsStoredExactlyToo() {
        try (var log = EventLog.open(dir, 1, 1 << 20)) {
            var written = new ArrayList<>(events(1, 1, 1_000, 100));
            written.addAll(events(2, 1, 1_000, (1 << 20) + 10)); // over the 1 MiB direct value buffer
            written.addAll(events(3, 1, 1_000, 100));
            log.append(written);
            var read = log.read(1, 10, Long.MAX_VALUE);
            assertThat(read).extracting(LogEvent::seq).containsExactly(1L, 2L, 3L);
            for (int i = 0; i < 3; i++) {
                assertThat(read.get(i).frame()).isEqualTo(written.get(i).frame());
                assertThat(read.get(i).did()).isEqualTo(written.get(i).did());
            }
        }
        try (var log = EventLog.open(dir, 1, 1 << 20)) {
            assertThat(log.nextSeq()).isEqualTo(4); // next-seq went through the direct buffers as well
        }
    }

    @Test
    void indexBlocksAreChargedToTheBoundedBlockCacheNotToTableReaders() {
        try (var log = EventLog.open(dir, 1, 1 << 20)) {
            long seq = fillFiles(log, 3, 40); // 8 MB a file, 125 blocks of 64 KiB
            // Held in the readers, the index of 375 blocks is at least 375 entries of 8-byte keys and
            // handles (14.2 KB); cached, a reader keeps its fixed part only (5.7 KB).
            assertThat(log.property("rocksdb.estimate-table-readers-mem")).isBetween(0L, 3L * 3_000);
            assertThat(log.read(1, 1, Long.MAX_VALUE)).extracting(LogEvent::seq).containsExactly(1L);
            assertThat(log.get(seq - 1)).isPresent();
            assertThat(log.property("rocksdb.block-cache-usage")).isPositive().isLessThanOrEqualTo(1L << 20);
        }
    }

    @Test
    void lookupsByTimeAndSeqLeaveNoDataBlocksInTheBlockCache() {
        try (var log = EventLog.open(dir, 1, 8 << 20)) {
            long seq = fillFiles(log, 3, 20);
            long before = log.property("rocksdb.block-cache-usage");
            // Retention binary-searches by time every minute and health reads the head: each of these
            // once cached a data block, a new one as the log grew: 3.5 B/frame in the soak.
            for (long cutoff = 1; cutoff < seq - 10; cutoff += 1_999) {
                assertThat(log.firstSeqAtOrAfter(cutoff)).isEqualTo(cutoff);
                assertThat(log.get(cutoff)).isPresent();
                assertThat(log.read(cutoff, 10, Long.MAX_VALUE)).hasSize(10);
            }
            assertThat(log.property("rocksdb.block-cache-usage") - before).isLessThan(32 << 10);
        }
    }

    @Test
    void theBlockCacheStaysWithinItsCapacityAsFilesAccumulate() {
        long capacity = 32 << 10;
        try (var log = EventLog.open(dir, 1, capacity)) {
            long seq = fillFiles(log, 30, 20); // 4 MB a file: its index is about 1.5 KB
            // 30 files' index blocks are about 45 KB. With pin_l0_filter_and_index_blocks_in_cache each
            // flushed file's index stayed pinned while its reader was open and the cache grew past any
            // capacity: 45,960 B here, 174 KB in a 64 KiB cache after 60 files, 6.9 MiB in 4 MiB in the soak.
            assertThat(log.property("rocksdb.block-cache-usage")).isBetween(capacity / 2, capacity);
            assertThat(log.property("rocksdb.block-cache-pinned-usage")).isLessThan(4 << 10);
            assertThat(log.get(1)).isPresent();
            assertThat(log.get(seq - 1)).isPresent();
        }
    }

    @Test
    void readsOfAClosedLogFailWithATypedError() {
        var log = EventLog.open(dir, 1, 1 << 20);
        log.append(events(1, 3, 1_000, 100));
        log.close();
        assertThatThrownBy(() -> log.read(1, 10, Long.MAX_VALUE)).isInstanceOf(EventLogException.class);
        assertThatThrownBy(() -> log.get(1)).isInstanceOf(EventLogException.class);
        assertThatThrownBy(() -> log.firstSeqAtOrAfter(0)).isInstanceOf(EventLogException.class);
        assertThat(log.property("rocksdb.block-cache-usage")).isEqualTo(-1);
    }

    @Test
    void appendsAndReadsBackExactEventsInOrder() {
        try (var log = EventLog.open(dir, 1, 1 << 20)) {
            assertThat(log.isEmpty()).isTrue();
            assertThat(log.nextSeq()).isEqualTo(1);
            var written = events(1, 50, 1_000, 100);
            log.append(written.subList(0, 20));
            log.append(written.subList(20, 50));
            assertThat(log.firstSeq()).isEqualTo(1);
            assertThat(log.lastSeq()).isEqualTo(50);
            var read = log.read(1, 1000, Long.MAX_VALUE);
            assertThat(read).hasSize(50);
            for (int i = 0; i < 50; i++) {
                var w = written.get(i);
                var r = read.get(i);
                assertThat(r.seq()).isEqualTo(w.seq());
                assertThat(r.frame()).isEqualTo(w.frame());
                assertThat(r.kind()).isEqualTo(w.kind());
                assertThat(r.did()).isEqualTo(w.did());
                assertThat(r.flags()).isEqualTo(w.flags());
                assertThat(r.timeMillis()).isEqualTo(w.timeMillis());
            }
            assertThat(log.read(31, 5, Long.MAX_VALUE)).extracting(LogEvent::seq).containsExactly(31L, 32L, 33L, 34L,
                    35L);
            // byte bound: stops once the frames read reach it, but returns at least one
            assertThat(log.read(10, 1000, 1)).hasSize(1);
            assertThat(log.get(7)).get().extracting(LogEvent::frame).isEqualTo(written.get(6).frame());
            assertThat(log.get(51)).isEmpty();
        }
    }

    @Test
    void refusesGapsAndDuplicates() {
        try (var log = EventLog.open(dir, 1, 1 << 20)) {
            log.append(events(1, 3, 0, 10));
            assertThatThrownBy(() -> log.append(events(5, 1, 0, 10))).isInstanceOf(IllegalArgumentException.class);
            assertThatThrownBy(() -> log.append(events(3, 1, 0, 10))).isInstanceOf(IllegalArgumentException.class);
            assertThat(log.lastSeq()).isEqualTo(3);
        }
    }

    @Test
    void continuesAfterRestartAndAfterEverythingWasDeleted() {
        try (var log = EventLog.open(dir, 100, 1 << 20)) {
            assertThat(log.nextSeq()).isEqualTo(100);
            log.append(events(100, 10, 0, 10));
        }
        try (var log = EventLog.open(dir, 1, 1 << 20)) {
            assertThat(log.firstSeq()).isEqualTo(100);
            assertThat(log.lastSeq()).isEqualTo(109);
            assertThat(log.nextSeq()).isEqualTo(110);
            log.deleteBefore(110);
            assertThat(log.isEmpty()).isTrue();
        }
        try (var log = EventLog.open(dir, 1, 1 << 20)) {
            // the next seq is stored beside the events, so an emptied log never reuses a seq
            assertThat(log.nextSeq()).isEqualTo(110);
            assertThat(log.isEmpty()).isTrue();
            log.append(events(110, 1, 0, 10));
            assertThat(log.firstSeq()).isEqualTo(110);
        }
    }

    @Test
    void retentionByAgeDeletesOnlyOlderEvents() {
        try (var log = EventLog.open(dir, 1, 1 << 20)) {
            // seq i has time 10_000 + i
            log.append(events(1, 1000, 10_000, 50));
            long now = 10_000 + 700 + 3_600_000;
            var result = new Retention(log, Duration.ofHours(1), Long.MAX_VALUE, () -> now).run();
            // time(seq) = 10_000 + seq - 1 >= now - 1h = 10_700  <=> seq >= 701
            assertThat(result.deletedByAge()).isEqualTo(700);
            assertThat(log.firstSeq()).isEqualTo(701);
            assertThat(log.read(1, 1, Long.MAX_VALUE)).extracting(LogEvent::seq).containsExactly(701L);
            assertThat(log.get(700)).isEmpty();
            assertThat(new Retention(log, Duration.ofHours(1), Long.MAX_VALUE, () -> now).run().deletedByAge())
                    .isZero();
        }
    }

    @Test
    void retentionBySizeDeletesTheOldestUntilUnderTheBound() {
        try (var log = EventLog.open(dir, 1, 1 << 20)) {
            for (int b = 0; b < 20; b++) {
                log.append(events(1 + b * 100L, 100, 0, 4096));
            }
            log.flush();
            long before = log.sizeBytes();
            assertThat(before).isGreaterThan(4_000_000);
            long bound = before / 4;
            var result = new Retention(log, Duration.ofDays(365), bound, () -> 0).run();
            assertThat(result.deletedBySize()).isBetween(1200L, 1900L);
            assertThat(log.firstSeq()).isEqualTo(1 + result.deletedBySize());
            assertThat(log.lastSeq()).isEqualTo(2000);
            assertThat(log.sizeBytes()).isLessThan(before / 2);
            assertThat(log.read(log.firstSeq(), 1, Long.MAX_VALUE).getFirst().seq()).isEqualTo(log.firstSeq());
        }
    }

    /**
     * A read copies each value into one buffer it reuses and grows: frames smaller and larger than
     * the buffer, in any order, come back exact and of their own length (no bytes of a longer earlier
     * value after a shorter one).
     */
    @Test
    void framesOfEverySizeReadBackExactThroughTheReusedBuffer() {
        int[] sizes = {100, EventLog.READ_BUFFER_BYTES - 40, 20_000, 7, 1 << 20, 3, EventLog.READ_BUFFER_BYTES * 3, 0};
        var written = new ArrayList<LogEvent>();
        for (int i = 0; i < sizes.length; i++) {
            var frame = new byte[sizes[i]];
            for (int b = 0; b < frame.length; b++) {
                frame[b] = (byte) (b * 31 + i);
            }
            written.add(new LogEvent(i + 1, EventKind.COMMIT, "did:plc:size" + i, i % 2, 1_000 + i, frame,
                    new Origin("pds" + i + ".example.com", 100 + i), 1_000_000L * (i + 1)));
        }
        try (var log = EventLog.open(dir, 1, 1 << 20)) {
            log.append(written);
            var back = log.read(1, 100, Long.MAX_VALUE);
            assertThat(back).hasSize(sizes.length);
            for (int i = 0; i < sizes.length; i++) {
                var w = written.get(i);
                var r = back.get(i);
                assertThat(r.frame()).as("frame %d", i).hasSize(sizes[i]).isEqualTo(w.frame());
                assertThat(r).usingRecursiveComparison().ignoringFields("frame").isEqualTo(w);
            }
            // starting in the middle, after the largest, in batches of one
            assertThat(log.read(6, 1, Long.MAX_VALUE).getFirst().frame()).isEqualTo(written.get(5).frame());
        }
    }
}
