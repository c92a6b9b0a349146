package dev.jlay.eventlog;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.ArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.rocksdb.ColumnFamilyDescriptor;
import org.rocksdb.ColumnFamilyHandle;
import org.rocksdb.DBOptions;
import org.rocksdb.RocksDB;
import org.rocksdb.WriteOptions;

/** Pairs written through the direct buffers, and those too big for them, land in RocksDB exactly. */
class DirectBatchTest {
    @TempDir
    Path dir;

    @Test
    void pairsThatFitAndPairsThatDoNotBothLandExactly() throws Exception {
        RocksDB.loadLibrary();
        var handles = new ArrayList<ColumnFamilyHandle>();
        try (var options = new DBOptions().setCreateIfMissing(true);
             var db = RocksDB.open(options, dir.toString(),
                     java.util.List.of(new ColumnFamilyDescriptor(RocksDB.DEFAULT_COLUMN_FAMILY)), handles);
             var write = new WriteOptions();
             var batch = new DirectBatch(8, 16)) {
            var cf = handles.getFirst();
            batch.put(cf, bytes("k1"), bytes("small"));
            batch.put(cf, bytes("a-key-longer-than-8"), bytes("v2"));
            batch.put(cf, bytes("k3"), bytes("a value longer than sixteen bytes"));
            batch.keyBuffer().putLong(42);
            batch.valueBuffer().put(bytes("in place"));
            batch.putBuffers(cf);
            assertThat(batch.count()).isEqualTo(4);
            batch.write(db, write);
            assertThat(batch.count()).isZero();

            assertThat(db.get(cf, bytes("k1"))).isEqualTo(bytes("small"));
            assertThat(db.get(cf, bytes("a-key-longer-than-8"))).isEqualTo(bytes("v2"));
            assertThat(db.get(cf, bytes("k3"))).isEqualTo(bytes("a value longer than sixteen bytes"));
            assertThat(db.get(cf, new byte[] {0, 0, 0, 0, 0, 0, 0, 42})).isEqualTo(bytes("in place"));

            batch.delete(cf, bytes("k1"));
            batch.delete(cf, bytes("a-key-longer-than-8"));
            batch.write(db, write);
            assertThat(db.get(cf, bytes("k1"))).isNull();
            assertThat(db.get(cf, bytes("a-key-longer-than-8"))).isNull();
            assertThat(db.get(cf, bytes("k3"))).isNotNull();
            assertThat(batch.keyExists(db, cf, bytes("k3"))).isTrue();
            assertThat(batch.keyExists(db, cf, bytes("k1"))).isFalse();
            db.put(cf, bytes("a-key-longer-than-8"), bytes("back"));
            assertThat(batch.keyExists(db, cf, bytes("a-key-longer-than-8"))).isTrue();
            assertThat(batch.keyExists(db, cf, bytes("another-long-key"))).isFalse();
            handles.forEach(ColumnFamilyHandle::close);
        }
    }

    private static byte[] bytes(String s) {
        return s.getBytes(java.nio.charset.StandardCharsets.UTF_8);
    }
}
