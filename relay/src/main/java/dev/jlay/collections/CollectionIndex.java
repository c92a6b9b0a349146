package dev.jlay.collections;

import dev.jlay.atproto.stream.CommitMessage;
import dev.jlay.atproto.stream.RepoOp;
import dev.jlay.atproto.syntax.Nsid;
import dev.jlay.eventlog.DirectBatch;
import dev.jlay.eventlog.RocksStore;
import dev.jlay.memory.BoundedBuffer;
import dev.jlay.metrics.MetricRegistry;
import dev.jlay.memory.Stage;
import dev.jlay.memory.StageMeter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import org.rocksdb.BlockBasedTableConfig;
import org.rocksdb.ColumnFamilyHandle;
import org.rocksdb.ColumnFamilyOptions;
import org.rocksdb.CompressionType;
import org.rocksdb.DBOptions;
import org.rocksdb.ReadOptions;
import org.rocksdb.RocksDB;
import org.rocksdb.RocksDBException;
import org.rocksdb.WriteBatch;
import org.rocksdb.WriteOptions;

/**
 * Which repos have written to which collection, for {@code listReposByCollection}: its own
 * RocksDB under the data dir, column family {@code by_collection} with keys
 * {@code <nsid>\0<did>} (listing a collection in DID order is one prefix scan) and
 * {@code by_repo} with {@code <did>\0<nsid>} (a repo's collections; removing a repo).
 * Values are empty.
 *
 * <p>Fed by commits ({@link CollectionFeed}): a create or update puts the pair. A commit that
 * deletes from a collection the repo is listed in (and writes nothing else to it) removes the
 * pair when its own tree proves the collection empty ({@link EmptiedCollections}: the deleted
 * key's neighbours, from the proof blocks in the commit's CAR); when the proof is incomplete the
 * pair stays. A repo leaves every collection when its account is deleted ({@code #account} with
 * status deleted → {@link #removeRepo}). Writes go to RocksDB's WAL without fsync: a process
 * crash loses nothing, a machine crash may lose the last moments of the index (not of events).
 */
public final class CollectionIndex implements CollectionFeed, AutoCloseable {
    private static final byte SEP = 0;
    private static final byte[] EMPTY = new byte[0];
    /** Idle batches kept for reuse: one per concurrent writer (the pipeline's workers), at most this many. */
    private static final int IDLE_BATCHES = 8;

    private final Path dir;
    private final RocksStore store;
    private final RocksDB db;
    private final ColumnFamilyHandle byCollection;
    private final ColumnFamilyHandle byRepo;
    private final WriteOptions writeOptions = new WriteOptions();
    private final ArrayBlockingQueue<DirectBatch> idle = new ArrayBlockingQueue<>(IDLE_BATCHES);
    private final StageMeter meter;
    private final long cacheCapacity;
    private final MetricRegistry metrics;
    private final BoundedBuffer cacheBuffer;

    private CollectionIndex(Path dir, RocksStore store, long cacheCapacity, MetricRegistry metrics) {
        this.dir = dir;
        this.store = store;
        this.db = store.db();
        this.byCollection = store.family("by_collection");
        this.byRepo = store.family("by_repo");
        this.cacheCapacity = cacheCapacity;
        this.metrics = metrics;
        // bounded in bytes, not entries: entries and capacity are bytes too, so their ratio is the fill
        this.cacheBuffer = BoundedBuffer.of("collection_index_block_cache",
                this::cacheUsage, () -> cacheCapacity, this::cacheUsage);
        this.meter = metrics == null ? null : metrics.stage(Stage.INDEX);
        if (metrics != null) {
            metrics.register(cacheBuffer);
        }
    }

    /**
     * Opens (creating) the index in {@code dir}.
     *
     * @param blockCacheBytes RocksDB block cache bound
     * @param metrics         for the {@code index} stage meter; null for none
     */
    public static CollectionIndex open(Path dir, long blockCacheBytes, MetricRegistry metrics) {
        try {
            var store = RocksStore.open(dir, blockCacheBytes,
                    cache -> new ColumnFamilyOptions()
                            .setTableFormatConfig(new BlockBasedTableConfig().setBlockCache(cache))
                            .setCompressionType(CompressionType.LZ4_COMPRESSION)
                            .setWriteBufferSize(8L << 20)
                            .setMaxWriteBufferNumber(2),
                    () -> new DBOptions().setCreateIfMissing(true).setCreateMissingColumnFamilies(true)
                            .setMaxBackgroundJobs(1).setKeepLogFileNum(3),
                    List.of("by_collection", "by_repo"));
            return new CollectionIndex(dir, store, blockCacheBytes, metrics);
        } catch (RocksDBException | java.io.IOException e) {
            throw new CollectionIndexException("cannot open collection index at " + dir + ": " + e.getMessage(), e);
        }
    }

    @Override
    public void accept(String did, List<RepoOp> ops) {
        long start = System.nanoTime();
        long allocated = meter == null ? -1 : meter.allocatedNow();
        var collections = new LinkedHashSet<String>();
        for (var op : ops) {
            if (op.action() == RepoOp.Action.DELETE) {
                continue;
            }
            int slash = op.path().indexOf('/');
            if (slash > 0) {
                var nsid = op.path().substring(0, slash);
                if (Nsid.isValid(nsid)) {
                    collections.add(nsid);
                }
            }
        }
        if (collections.isEmpty()) {
            return;
        }
        try {
            write(batch -> {
                for (var nsid : collections) {
                    batch.put(byCollection, key(nsid, did), EMPTY);
                    batch.put(byRepo, key(did, nsid), EMPTY);
                }
            });
        } finally {
            if (meter != null) {
                meter.record(1, start, allocated);
            }
        }
    }

    /** Fills a batch while the index is held open (reads allowed); an empty batch is not written. */
    @FunctionalInterface
    private interface BatchFill {
        void fill(DirectBatch batch) throws RocksDBException;
    }

    /** Batches are reused (a pool of at most {@link #IDLE_BATCHES}): each holds a native WriteBatch and a direct key buffer. */
    private void write(BatchFill fill) {
        var lock = store.readLock();
        lock.lock();
        DirectBatch batch = null;
        try {
            ensureOpen();
            batch = idle.poll();
            if (batch == null) {
                batch = new DirectBatch(1024, 0);
            }
            fill.fill(batch);
            batch.write(db, writeOptions);
        } catch (RocksDBException e) {
            throw new CollectionIndexException("collection index write failed: " + e.getMessage(), e);
        } finally {
            if (batch != null) {
                batch.clear();
                if (!idle.offer(batch)) {
                    batch.close();
                }
            }
            lock.unlock();
        }
    }

    /**
     * A commit's creates and updates; then, for collections it only deleted from and the repo is
     * listed in, removes those its tree proves empty. Most commits delete nothing and cost no more
     * than {@link #accept(String, List)}; a delete reads the CAR only when the repo is listed there.
     */
    @Override
    public void commit(CommitMessage commit) {
        commit(commit, null);
    }

    /**
     * As {@link #commit(CommitMessage)}; when validation's inversion already proved which
     * collections the tree leaves empty ({@code emptiedCollections} non-null), that answer is used
     * and the CAR is not read again (the same neighbour rule as {@link EmptiedCollections}).
     */
    @Override
    public void commit(CommitMessage commit, List<String> emptiedCollections) {
        accept(commit.repo(), commit.ops());
        var candidates = EmptiedCollections.candidates(commit.ops());
        if (candidates.isEmpty()) {
            return;
        }
        long start = System.nanoTime();
        long allocated = meter == null ? -1 : meter.allocatedNow();
        try {
            write(batch -> {
                candidates.keySet().removeIf(nsid -> !batch.keyExists(db, byRepo, key(commit.repo(), nsid)));
                var proven = emptiedCollections != null
                        ? candidates.keySet().stream().filter(emptiedCollections::contains).toList()
                        : EmptiedCollections.provenEmpty(commit, candidates);
                for (var nsid : proven) {
                    batch.delete(byCollection, key(nsid, commit.repo()));
                    batch.delete(byRepo, key(commit.repo(), nsid));
                }
            });
        } finally {
            if (meter != null) {
                meter.record(0, start, allocated);
            }
        }
    }

    /** DIDs that wrote to {@code nsid}, in DID order, after {@code afterDid} (null = from the start). */
    public List<String> repos(String nsid, String afterDid, int limit) {
        return scan(byCollection, nsid, afterDid, limit);
    }

    /** The collections {@code did} wrote to, in NSID order. */
    public List<String> collections(String did) {
        return scan(byRepo, did, null, Integer.MAX_VALUE);
    }

    /** Forgets a repo (e.g. its account was deleted): both directions. */
    @Override
    public void removeRepo(String did) {
        var lock = store.readLock();
        lock.lock();
        try (var batch = new WriteBatch()) {
            ensureOpen();
            for (var nsid : scanLocked(byRepo, did, null, Integer.MAX_VALUE)) {
                batch.delete(byCollection, key(nsid, did));
                batch.delete(byRepo, key(did, nsid));
            }
            db.write(writeOptions, batch);
        } catch (RocksDBException e) {
            throw new CollectionIndexException("collection index write failed: " + e.getMessage(), e);
        } finally {
            lock.unlock();
        }
    }

    private List<String> scan(ColumnFamilyHandle cf, String first, String after, int limit) {
        var lock = store.readLock();
        lock.lock();
        try {
            ensureOpen();
            return scanLocked(cf, first, after, limit);
        } finally {
            lock.unlock();
        }
    }

    private List<String> scanLocked(ColumnFamilyHandle cf, String first, String after, int limit) {
        var prefix = key(first, "");
        var out = new ArrayList<String>();
        try (var options = new ReadOptions(); var it = db.newIterator(cf, options)) {
            it.seek(after == null ? prefix : successor(key(first, after)));
            for (; it.isValid() && out.size() < limit; it.next()) {
                var k = it.key();
                if (!startsWith(k, prefix)) {
                    break;
                }
                out.add(new String(k, prefix.length, k.length - prefix.length, StandardCharsets.UTF_8));
            }
            it.status();
            return out;
        } catch (RocksDBException e) {
            throw new CollectionIndexException("collection index read failed: " + e.getMessage(), e);
        }
    }

    static byte[] key(String first, String second) {
        var a = first.getBytes(StandardCharsets.UTF_8);
        var b = second.getBytes(StandardCharsets.UTF_8);
        var k = Arrays.copyOf(a, a.length + 1 + b.length);
        k[a.length] = SEP;
        System.arraycopy(b, 0, k, a.length + 1, b.length);
        return k;
    }

    /** The smallest key greater than {@code k}: k followed by a zero byte. */
    private static byte[] successor(byte[] k) {
        return Arrays.copyOf(k, k.length + 1);
    }

    private static boolean startsWith(byte[] k, byte[] prefix) {
        return k.length >= prefix.length && Arrays.equals(k, 0, prefix.length, prefix, 0, prefix.length);
    }

    /** Bytes in the RocksDB block cache (native memory), 0 once closed. */
    public long cacheUsage() {
        return store.cacheUsage();
    }

    /**
     * Native bytes RocksDB holds for the index (memtables and table readers of every column
     * family, plus the block cache), 0 once closed: part of the relay's {@code rocksdb} memory owner.
     */
    public long nativeBytes() {
        return store.nativeBytes();
    }

    private void ensureOpen() {
        if (store.isClosed()) {
            throw new CollectionIndexException("collection index at " + dir + " is closed", null);
        }
    }

    @Override
    public void close() {
        store.close(() -> {
            if (metrics != null) {
                metrics.unregister(cacheBuffer);
            }
            writeOptions.close();
            for (DirectBatch b; (b = idle.poll()) != null; ) {
                b.close();
            }
        });
    }
}
