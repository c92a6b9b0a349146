package dev.jlay.eventlog;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.rocksdb.BlockBasedTableConfig;
import org.rocksdb.ColumnFamilyHandle;
import org.rocksdb.ColumnFamilyOptions;
import org.rocksdb.CompressionType;
import org.rocksdb.DBOptions;
import org.rocksdb.LRUCache;
import org.rocksdb.ReadOptions;
import org.rocksdb.RocksDB;
import org.rocksdb.RocksDBException;
import org.rocksdb.WriteOptions;

/**
 * The durable event log on RocksDB. Column family {@code events}: key = seq as
 * 8 big-endian bytes, value = {@link LogCodec} (the exact downstream frame plus
 * kind/DID/flags/time). Column family {@code meta}: {@code next-seq}, written in
 * the same atomic batch as the events, so the next seq survives even when
 * retention has deleted every event.
 *
 * <p>Writes come from one thread (the {@link Sequencer}); reads from any. The
 * {@link RocksStore}'s read/write lock keeps reads from touching a closed database
 * (RocksDB would crash the process, not throw).
 */
public final class EventLog implements EventSource, AutoCloseable {
    /**
     * Open SST files (RocksDB's table cache), each holding about 2 KiB of reader state: a bound
     * instead of "every file", which grows with the retained log (64 MiB files: 64 GiB open).
     */
    static final int MAX_OPEN_FILES = 1024;
    /**
     * Data block size: events are written once and read in order, so large blocks cost a random
     * cursor one 64 KiB read; the index (one entry per block, held in the block cache) is half
     * what 32 KiB blocks gave, which grew 1.5 B/frame in the soak. Under glibc's 128 KiB mmap threshold.
     */
    static final int BLOCK_BYTES = 64 * 1024;
    /** A read's value buffer to start with (most frames are a few KB); it grows to the largest value read. */
    static final int READ_BUFFER_BYTES = 8 * 1024;
    private static final byte[] NEXT_SEQ = "next-seq".getBytes(StandardCharsets.US_ASCII);

    private final Path dir;
    private final RocksStore store;
    private final RocksDB db;
    private final ColumnFamilyHandle events;
    private final ColumnFamilyHandle meta;
    private final ColumnFamilyHandle times;
    private final WriteOptions syncWrite;
    /**
     * Every read leaves the block cache alone: consumers replay sequentially and retention
     * binary-searches a new stretch each minute, so a cached data block is almost never read again.
     * Filling it, they were about 2 of the 3.5 B/frame the cache grew by in a 5-million-frame soak.
     */
    private final ReadOptions uncached = new ReadOptions().setFillCache(false);
    /** Frames over the direct value buffer (1 MiB; most are a few KiB) take the byte-array path. */
    private final DirectBatch batch = new DirectBatch(Math.max(Long.BYTES, NEXT_SEQ.length), 1 << 20);
    private volatile long firstSeq;
    private volatile long lastSeq;
    private long nextSeq;

    private EventLog(Path dir, RocksStore store, long startSeq) throws RocksDBException {
        this.dir = dir;
        this.store = store;
        this.db = store.db();
        this.events = store.family("events");
        this.meta = store.family("meta");
        this.times = store.family("times");
        this.syncWrite = new WriteOptions().setSync(true);
        recover(startSeq);
    }

    /**
     * Opens (creating if needed) the log in {@code dir}.
     *
     * @param startSeq the first seq of a brand-new log (>= 1)
     * @param blockCacheBytes RocksDB block cache size
     */
    public static EventLog open(Path dir, long startSeq, long blockCacheBytes) {
        if (startSeq < 1) {
            throw new IllegalArgumentException("seq starts at 1 or more");
        }
        RocksStore store;
        try {
            store = RocksStore.open(dir, blockCacheBytes, EventLog::columnOptions, () -> new DBOptions()
                    .setCreateIfMissing(true)
                    .setCreateMissingColumnFamilies(true)
                    .setMaxBackgroundJobs(2)
                    .setMaxOpenFiles(MAX_OPEN_FILES)
                    .setKeepLogFileNum(5), List.of("events", "meta", "times"));
        } catch (RocksDBException | java.io.IOException e) {
            throw new EventLogException("cannot open event log at " + dir + ": " + e.getMessage(), e);
        }
        try {
            return new EventLog(dir, store, startSeq);
        } catch (RocksDBException e) {
            store.close();
            throw new EventLogException("cannot open event log at " + dir + ": " + e.getMessage(), e);
        } catch (RuntimeException e) {
            store.close();
            throw e;
        }
    }

    private static ColumnFamilyOptions columnOptions(LRUCache cache) {
        // Index blocks live in the (bounded) block cache, not in each file's table reader: held
        // there they grew with the log, 8 MiB for 6 GiB (1.6 B/frame in the 5-million-frame soak).
        var table = new BlockBasedTableConfig().setBlockCache(cache).setBlockSize(BLOCK_BYTES)
                .setCacheIndexAndFilterBlocks(true)
                // not pinned: RocksDB pins a flushed (L0) file's index until the file's table reader
                // closes, and the pinned part outgrew the capacity (45 KB in 32 KiB after 30 files)
                .setPinL0FilterAndIndexBlocksInCache(false);
        return new ColumnFamilyOptions()
                .setTableFormatConfig(table)
                .setCompressionType(CompressionType.LZ4_COMPRESSION)
                .setWriteBufferSize(32L << 20)
                .setMaxWriteBufferNumber(3);
    }

    private void recover(long startSeq) throws RocksDBException {
        long next = startSeq;
        var stored = db.get(meta, NEXT_SEQ);
        if (stored != null) {
            next = Math.max(next, LogCodec.getLong(stored, 0));
        }
        try (var it = db.newIterator(events)) {
            it.seekToLast();
            if (it.isValid()) {
                next = Math.max(next, LogCodec.seqOf(it.key()) + 1);
            }
            it.seekToFirst();
            firstSeq = it.isValid() ? LogCodec.seqOf(it.key()) : next;
        }
        nextSeq = next;
        lastSeq = next - 1;
    }

    /** The seq the next appended event must carry. Sequencer thread only. */
    public long nextSeq() {
        return nextSeq;
    }

    /** Oldest retained seq; {@code lastSeq() + 1} when the log is empty. */
    @Override
    public long firstSeq() {
        return firstSeq;
    }

    /** Newest durable seq, or {@code nextSeq() - 1} when nothing was ever written. */
    public long lastSeq() {
        return lastSeq;
    }

    public boolean isEmpty() {
        return firstSeq > lastSeq;
    }

    /**
     * Appends events atomically and durably (WAL fsync) before returning. Their
     * seqs must continue {@link #nextSeq()} with no gap. Single writer only.
     */
    public void append(List<LogEvent> toWrite) {
        if (toWrite.isEmpty()) {
            return;
        }
        var lock = store.readLock();
        lock.lock();
        try {
            ensureOpen();
            long expect = nextSeq;
            batch.clear();
            for (var e : toWrite) {
                if (e.seq() != expect) {
                    throw new IllegalArgumentException("seq " + e.seq() + " does not continue the log at " + expect);
                }
                put(e);
                expect++;
            }
            batch.keyBuffer().put(NEXT_SEQ);
            batch.valueBuffer().putLong(expect);
            batch.putBuffers(meta);
            batch.write(db, syncWrite);
            boolean wasEmpty = isEmpty();
            nextSeq = expect;
            lastSeq = expect - 1;
            if (wasEmpty) {
                firstSeq = toWrite.getFirst().seq();
            }
        } catch (RocksDBException e) {
            throw new EventLogException("event log write failed: " + e.getMessage(), e);
        } finally {
            batch.clear();
            lock.unlock();
        }
    }

    private void put(LogEvent e) throws RocksDBException {
        var value = batch.valueBuffer();
        if (LogCodec.valueLength(e) > value.capacity()) {
            batch.put(events, LogCodec.key(e.seq()), LogCodec.value(e));
            putTime(e);
            return;
        }
        batch.keyBuffer().putLong(e.seq());
        LogCodec.writeValue(e, value);
        batch.putBuffers(events);
        putTime(e);
    }

    private void putTime(LogEvent e) throws RocksDBException {
        batch.keyBuffer().putLong(e.timeMicros());
        batch.valueBuffer().putLong(e.seq());
        batch.putBuffers(times);
    }

    public Optional<LogEvent> get(long seq) {
        var lock = store.readLock();
        lock.lock();
        try {
            ensureOpen();
            var v = db.get(events, uncached, LogCodec.key(seq));
            return v == null ? Optional.empty() : Optional.of(LogCodec.event(seq, v));
        } catch (RocksDBException e) {
            throw new EventLogException("event log read failed: " + e.getMessage(), e);
        } finally {
            lock.unlock();
        }
    }

    /**
     * Events with seq >= {@code fromSeq} in order, at most {@code maxEvents} and
     * about {@code maxBytes} of frames (always at least one when any exists).
     */
    @Override
    public List<LogEvent> read(long fromSeq, int maxEvents, long maxBytes) {
        var out = new ArrayList<LogEvent>(Math.min(maxEvents, 256));
        var lock = store.readLock();
        lock.lock();
        try {
            ensureOpen(); // before the iterator: a closed database or read options would crash the JVM
            try (var it = db.newIterator(events, uncached)) {
                long bytes = 0;
                // each value is copied from RocksDB into this buffer, reused for the batch, and only the
                // frame out of it: it.value() would allocate a second copy of every frame
                var key = new byte[8];
                var value = new byte[READ_BUFFER_BYTES];
                for (it.seek(LogCodec.key(fromSeq)); it.isValid() && out.size() < maxEvents && bytes < maxBytes;
                     it.next()) {
                    if (it.key(key) != key.length) {
                        throw new EventLogException("bad event key length " + it.key().length);
                    }
                    int length = it.value(value);
                    if (length > value.length) {
                        value = new byte[Math.max(length, value.length * 2)];
                        it.value(value);
                    }
                    var e = LogCodec.event(LogCodec.getLong(key, 0), value, length);
                    bytes += e.frame().length;
                    out.add(e);
                }
                it.status();
                return out;
            }
        } catch (RocksDBException e) {
            throw new EventLogException("event log read failed: " + e.getMessage(), e);
        } finally {
            lock.unlock();
        }
    }

    /** Deletes every event with seq < {@code seq} and compacts that range away. */
    public void deleteBefore(long seq) {
        var lock = store.readLock();
        lock.lock();
        try {
            ensureOpen();
            long from = firstSeq;
            long to = Math.min(seq, lastSeq + 1);
            if (to <= from) {
                return;
            }
            // the time index up to the first kept event's time (all of it when nothing is kept)
            var kept = to <= lastSeq ? db.get(events, uncached, LogCodec.key(to)) : null;
            long keptMicros = kept == null ? Long.MAX_VALUE : LogCodec.event(to, kept).timeMicros();
            db.deleteRange(times, LogCodec.key(0), LogCodec.key(keptMicros));
            db.deleteRange(events, LogCodec.key(from), LogCodec.key(to));
            firstSeq = to;
            db.compactRange(events, LogCodec.key(from), LogCodec.key(to));
        } catch (RocksDBException e) {
            throw new EventLogException("event log delete failed: " + e.getMessage(), e);
        } finally {
            lock.unlock();
        }
    }

    /** The first seq whose time is >= {@code cutoffMillis} (binary search; times never decrease), or lastSeq+1. */
    public long firstSeqAtOrAfter(long cutoffMillis) {
        var lock = store.readLock();
        lock.lock();
        try {
            ensureOpen();
            long lo = firstSeq;
            long hi = lastSeq + 1;
            while (lo < hi) {
                long mid = lo + (hi - lo) / 2;
                var v = db.get(events, uncached, LogCodec.key(mid));
                if (v == null) {
                    // deleted concurrently from the front: everything below is gone
                    lo = mid + 1;
                } else if (LogCodec.timeOf(v) < cutoffMillis) {
                    lo = mid + 1;
                } else {
                    hi = mid;
                }
            }
            return lo;
        } catch (RocksDBException e) {
            throw new EventLogException("event log read failed: " + e.getMessage(), e);
        } finally {
            lock.unlock();
        }
    }

    /**
     * The first seq whose {@link LogEvent#timeMicros()} is >= {@code micros}: one seek in the time
     * index, never a scan. {@code lastSeq() + 1} when every event is older (a cursor in the future
     * starts live); the oldest retained seq when {@code micros} is older than the log. Events logged
     * before the index existed (value version 2 and older) are found by {@link #firstSeqAtOrAfter}.
     */
    public long firstSeqAtOrAfterMicros(long micros) {
        var lock = store.readLock();
        lock.lock();
        try {
            ensureOpen();
            long first = firstSeq;
            try (var it = db.newIterator(times, uncached)) {
                it.seekToFirst();
                if (!it.isValid()) {
                    it.status();
                    return isEmpty() ? lastSeq + 1 : firstSeqAtOrAfter(Math.floorDiv(micros, 1000));
                }
                long firstIndexed = LogCodec.getLong(it.value(), 0);
                if (firstIndexed > first && micros < LogCodec.getLong(it.key(), 0)) {
                    return firstSeqAtOrAfter(Math.floorDiv(micros, 1000)); // before the index began
                }
                it.seek(LogCodec.key(Math.max(0, micros)));
                if (!it.isValid()) {
                    it.status();
                    return lastSeq + 1;
                }
                return Math.max(first, LogCodec.getLong(it.value(), 0));
            }
        } catch (RocksDBException e) {
            throw new EventLogException("event log read failed: " + e.getMessage(), e);
        } finally {
            lock.unlock();
        }
    }

    /** On-disk size of the events (SST files plus memtables), 0 once closed. */
    public long sizeBytes() {
        return store.property(db -> db.getLongProperty(events, "rocksdb.total-sst-files-size")
                + db.getLongProperty(events, "rocksdb.cur-size-all-mem-tables"), 0);
    }

    /** A RocksDB property of the events column family (for memory accounting), or -1. */
    public long property(String name) {
        return store.property(db -> db.getLongProperty(events, name), -1);
    }

    /** Flushes memtables to SST files (tests, shutdown). */
    public void flush() {
        var lock = store.readLock();
        lock.lock();
        try (var options = new org.rocksdb.FlushOptions().setWaitForFlush(true)) {
            ensureOpen();
            db.flush(options, events);
        } catch (RocksDBException e) {
            throw new EventLogException("flush failed: " + e.getMessage(), e);
        } finally {
            lock.unlock();
        }
    }

    public Path directory() {
        return dir;
    }

    private void ensureOpen() {
        if (store.isClosed()) {
            throw new EventLogException("event log is closed");
        }
    }

    @Override
    public void close() {
        store.close(() -> {
            batch.close();
            syncWrite.close();
            uncached.close();
        });
    }
}
