package dev.jlay.eventlog;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.locks.Lock;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.function.Function;
import java.util.function.Supplier;
import org.rocksdb.ColumnFamilyDescriptor;
import org.rocksdb.ColumnFamilyHandle;
import org.rocksdb.ColumnFamilyOptions;
import org.rocksdb.DBOptions;
import org.rocksdb.LRUCache;
import org.rocksdb.RocksDB;
import org.rocksdb.RocksDBException;

/**
 * A RocksDB database with the native objects it was opened with (block cache, options, column
 * family handles), so that they are made and freed in the one order RocksDB allows: handles, then
 * the database, then the options and the cache. The owner chooses the tuning.
 *
 * <p>A closed database crashes the process instead of throwing, so every use holds {@link #readLock}
 * and checks {@link #isClosed} first; {@link #close} takes the write lock and waits for them.
 */
public final class RocksStore implements AutoCloseable {
    static {
        RocksDB.loadLibrary();
    }

    private final RocksDB db;
    private final LRUCache cache;
    private final Map<String, ColumnFamilyHandle> families;
    /** In closing order. */
    private final List<AutoCloseable> resources;
    private final ReentrantReadWriteLock lifecycle = new ReentrantReadWriteLock();
    private volatile boolean closed;

    private RocksStore(RocksDB db, LRUCache cache, Map<String, ColumnFamilyHandle> families,
                       List<AutoCloseable> resources) {
        this.db = db;
        this.cache = cache;
        this.families = families;
        this.resources = resources;
    }

    /**
     * Opens (creating) the database in {@code dir} with the default column family and {@code families},
     * all with the same options. On failure everything made so far is closed again.
     *
     * @param columnOptions column family options reading blocks through the given cache
     */
    public static RocksStore open(Path dir, long blockCacheBytes, Function<LRUCache, ColumnFamilyOptions> columnOptions,
                                  Supplier<DBOptions> dbOptions, List<String> families)
            throws RocksDBException, IOException {
        var options = new ArrayList<AutoCloseable>();
        try {
            Files.createDirectories(dir);
            var cache = new LRUCache(blockCacheBytes);
            options.add(cache);
            var cfOptions = columnOptions.apply(cache);
            options.add(cfOptions);
            var dbOpts = dbOptions.get();
            options.add(dbOpts);
            var descriptors = new ArrayList<ColumnFamilyDescriptor>();
            descriptors.add(new ColumnFamilyDescriptor(RocksDB.DEFAULT_COLUMN_FAMILY, cfOptions));
            for (var name : families) {
                descriptors.add(new ColumnFamilyDescriptor(name.getBytes(StandardCharsets.US_ASCII), cfOptions));
            }
            var handles = new ArrayList<ColumnFamilyHandle>();
            var rocks = RocksDB.open(dbOpts, dir.toString(), descriptors, handles);
            var named = new LinkedHashMap<String, ColumnFamilyHandle>();
            for (int i = 0; i < families.size(); i++) {
                named.put(families.get(i), handles.get(i + 1));
            }
            var ordered = new ArrayList<AutoCloseable>(handles);
            ordered.add(rocks);
            ordered.addAll(options);
            return new RocksStore(rocks, cache, named, ordered);
        } catch (RocksDBException | IOException | RuntimeException e) {
            options.forEach(RocksStore::closeQuietly);
            throw e;
        }
    }

    public RocksDB db() {
        return db;
    }

    /** The handle of a column family named at {@link #open}. */
    public ColumnFamilyHandle family(String name) {
        var handle = families.get(name);
        if (handle == null) {
            throw new IllegalArgumentException("no column family " + name);
        }
        return handle;
    }

    /** Held around every use of the database: {@link #close} waits until none holds it. */
    public Lock readLock() {
        return lifecycle.readLock();
    }

    public boolean isClosed() {
        return closed;
    }

    /** What a property read asks of the open database. */
    @FunctionalInterface
    public interface PropertyRead {
        long read(RocksDB db) throws RocksDBException;
    }

    /**
     * A figure for metrics and memory accounting, read while the database is open; {@code fallback}
     * once it is closed or when RocksDB cannot answer, since a scrape must not fail.
     */
    public long property(PropertyRead read, long fallback) {
        var lock = lifecycle.readLock();
        lock.lock();
        try {
            return closed ? fallback : read.read(db);
        } catch (RocksDBException e) {
            return fallback;
        } finally {
            lock.unlock();
        }
    }

    /** Bytes in the block cache (native memory), 0 once closed. */
    public long cacheUsage() {
        return property(db -> cache.getUsage(), 0);
    }

    /**
     * Native bytes the database holds: memtables and table readers of every column family, plus
     * the block cache; 0 once closed.
     */
    public long nativeBytes() {
        return property(db -> db.getAggregatedLongProperty("rocksdb.cur-size-all-mem-tables")
                + db.getAggregatedLongProperty("rocksdb.estimate-table-readers-mem") + cache.getUsage(), 0);
    }

    @Override
    public void close() {
        close(() -> {});
    }

    /**
     * Closes once, when no use holds the read lock: first {@code owned} (the owner's own native
     * objects, which may need the database), then everything opened here, quietly: this runs at
     * shutdown, where nothing useful can be done about a failure.
     */
    public void close(Runnable owned) {
        var lock = lifecycle.writeLock();
        lock.lock();
        try {
            if (closed) {
                return;
            }
            closed = true;
            owned.run();
            resources.forEach(RocksStore::closeQuietly);
        } finally {
            lock.unlock();
        }
    }

    private static void closeQuietly(AutoCloseable c) {
        try {
            c.close();
        } catch (Exception ignored) {
            // closing anyway
        }
    }
}
