package dev.jlay.api;

import dev.jlay.collections.CollectionIndex;
import dev.jlay.config.ConfigKeys;
import dev.jlay.config.RelayConfig;
import dev.jlay.eventlog.EventLog;
import dev.jlay.memory.JfrMonitor;
import dev.jlay.memory.MallocTrimmer;
import dev.jlay.memory.MemoryAccountant;
import dev.jlay.memory.MemoryMetrics;
import dev.jlay.metrics.MetricRegistry;
import dev.jlay.memory.Profiler;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.List;

/** The memory instrumentation of a running relay: RSS accounting, JFR stream, profiler, admin routes. */
public record MemoryMonitoring(MemoryAccountant accountant, MemoryMetrics metrics, JfrMonitor jfr,
                               Profiler profiler, MemoryAdmin admin, AutoCloseable trimmer) implements AutoCloseable {
    static final Duration REFRESH = Duration.ofSeconds(15);
    static final Duration JFR_MAX_AGE = Duration.ofMinutes(30);
    static final long JFR_MAX_BYTES = 256L << 20;

    public static MemoryMonitoring start(RelayConfig config, MetricRegistry registry, EventLog log,
                                  CollectionIndex collections) {
        var accountant = MemoryAccountant.create();
        // RocksDB allocates through malloc: the memtables, table readers and block caches of both
        // databases (event log, collection index) are carved out of malloc's in-use bytes.
        accountant.registerMallocSource("rocksdb", () -> log.property("rocksdb.cur-size-all-mem-tables")
                + log.property("rocksdb.estimate-table-readers-mem") + log.property("rocksdb.block-cache-usage")
                + collections.nativeBytes());
        // and each part on its own: memtables cycle, the block cache fills to its bound, readers follow the files
        accountant.registerDetail("rocksdb_collection_index", collections::nativeBytes);
        accountant.registerDetail("rocksdb_memtables", () -> log.property("rocksdb.cur-size-all-mem-tables"));
        accountant.registerDetail("rocksdb_table_readers", () -> log.property("rocksdb.estimate-table-readers-mem"));
        accountant.registerDetail("rocksdb_block_cache", () -> log.property("rocksdb.block-cache-usage"));
        var metrics = new MemoryMetrics(accountant, registry, List.of("rocksdb"));
        metrics.start(REFRESH);
        JfrMonitor jfr;
        try {
            jfr = new JfrMonitor(registry, JFR_MAX_AGE, JFR_MAX_BYTES);
        } catch (IOException e) {
            metrics.close();
            throw new UncheckedIOException(e);
        }
        if (config.getBool(ConfigKeys.MEMORY_JFR)) jfr.start();
        var profiler = new Profiler(config.dataDir().resolve("profiles"), Duration.ofMinutes(5), 20, 512L << 20);
        var admin = new MemoryAdmin(accountant, metrics, jfr, profiler, config.dataDir().resolve("tmp"));
        var interval = Duration.ofSeconds(config.getInt(ConfigKeys.MEMORY_TRIM_INTERVAL_SECONDS));
        AutoCloseable trimmer = accountant.malloc().map(m -> MallocTrimmer.start(m, interval, registry))
                .orElse(() -> { });
        return new MemoryMonitoring(accountant, metrics, jfr, profiler, admin, trimmer);
    }

    @Override
    public void close() {
        try {
            trimmer.close();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
        jfr.close();
        metrics.close();
    }
}
