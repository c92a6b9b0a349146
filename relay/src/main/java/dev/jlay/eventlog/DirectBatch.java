package dev.jlay.eventlog;

import java.nio.ByteBuffer;
import org.rocksdb.ColumnFamilyHandle;
import org.rocksdb.RocksDB;
import org.rocksdb.RocksDBException;
import org.rocksdb.WriteBatch;
import org.rocksdb.WriteOptions;

/**
 * A RocksDB write batch filled through two reusable direct buffers. RocksJava's
 * byte-array {@code put} copies each key and value into a fresh C-heap block
 * ({@code GetByteArrayElements}, a {@code malloc} that NMT also tracks) before the
 * batch copies it again; a direct buffer is read where it lies. A native-memory
 * profile of the relay put a third of all malloc'd bytes there.
 *
 * <p>Both buffers have a fixed capacity (the bound on what this holds); a key or
 * value that does not fit goes through the byte-array path. Not thread-safe: one
 * writer at a time.
 */
public final class DirectBatch implements AutoCloseable {
    private final WriteBatch batch = new WriteBatch();
    private final ByteBuffer key;
    private final ByteBuffer value;

    public DirectBatch(int keyCapacity, int valueCapacity) {
        this.key = ByteBuffer.allocateDirect(keyCapacity);
        this.value = ByteBuffer.allocateDirect(valueCapacity);
    }

    /** The key buffer, cleared, for {@link #putBuffers}. */
    public ByteBuffer keyBuffer() {
        return key.clear();
    }

    /** The value buffer, cleared, for {@link #putBuffers}. */
    public ByteBuffer valueBuffer() {
        return value.clear();
    }

    /** Adds what was written into {@link #keyBuffer()} and {@link #valueBuffer()} since they were taken. */
    public void putBuffers(ColumnFamilyHandle cf) throws RocksDBException {
        batch.put(cf, key.flip(), value.flip());
    }

    /** Adds a pair, copied through the direct buffers when it fits them. */
    public void put(ColumnFamilyHandle cf, byte[] k, byte[] v) throws RocksDBException {
        if (k.length > key.capacity() || v.length > value.capacity()) {
            batch.put(cf, k, v);
            return;
        }
        keyBuffer().put(k);
        valueBuffer().put(v);
        putBuffers(cf);
    }

    public void delete(ColumnFamilyHandle cf, byte[] k) throws RocksDBException {
        if (k.length > key.capacity()) {
            batch.delete(cf, k);
            return;
        }
        batch.delete(cf, keyBuffer().put(k).flip());
    }

    /** Whether {@code db} holds {@code k}, asked through the key buffer (the byte-array get mallocs a copy too). */
    public boolean keyExists(RocksDB db, ColumnFamilyHandle cf, byte[] k) {
        if (k.length > key.capacity()) {
            return db.keyExists(cf, k);
        }
        return db.keyExists(cf, keyBuffer().put(k).flip());
    }

    public int count() {
        return batch.count();
    }

    /** Writes the batch (if it holds anything) and empties it, whether or not the write succeeded. */
    public void write(RocksDB db, WriteOptions options) throws RocksDBException {
        try {
            if (batch.count() > 0) {
                db.write(options, batch);
            }
        } finally {
            batch.clear();
        }
    }

    public void clear() {
        batch.clear();
    }

    /** Native bytes this holds outside the batch's own buffer: the two direct buffers. */
    public long bufferBytes() {
        return (long) key.capacity() + value.capacity();
    }

    @Override
    public void close() {
        batch.close();
    }
}
