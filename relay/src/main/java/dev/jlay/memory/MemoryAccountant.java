package dev.jlay.memory;

import java.lang.management.BufferPoolMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;

/**
 * Builds a {@link MemoryReport}: the JVM's regions by their resident size (System.map
 * tagged by NMT), glibc's arenas (all of them), native libraries that report their own
 * usage (RocksDB), file mappings, and the rest as {@code unaccounted}. {@code malloc_free}
 * is an estimate and is reported with the bound it was clamped to.
 *
 * <p>Native sources such as RocksDB allocate through malloc, so their bytes are carved
 * out of the malloc in-use figure rather than added beside it.
 */
public final class MemoryAccountant {
    private final DiagnosticCommands commands;
    private final NativeMemoryTracking nmt;
    private final Optional<GlibcMalloc> malloc;
    private final Map<String, LongSupplier> mallocSources = new ConcurrentHashMap<>();
    private final Map<String, LongSupplier> extraDetails = new ConcurrentHashMap<>();

    public MemoryAccountant(DiagnosticCommands commands, Optional<GlibcMalloc> malloc) {
        this.commands = commands;
        this.nmt = new NativeMemoryTracking(commands);
        this.malloc = malloc;
    }

    public static MemoryAccountant create() {
        return new MemoryAccountant(new DiagnosticCommands(), GlibcMalloc.load());
    }

    public NativeMemoryTracking nmt() {
        return nmt;
    }

    public Optional<GlibcMalloc> malloc() {
        return malloc;
    }

    /** A native library whose memory comes from malloc and which can report it, e.g. "rocksdb". */
    public void registerMallocSource(String owner, LongSupplier bytes) {
        mallocSources.put(owner, bytes);
    }

    public void unregisterMallocSource(String owner) {
        mallocSources.remove(owner);
    }

    /** A figure that is part of an owner, shown in the report's details (e.g. one RocksDB component). */
    public void registerDetail(String name, LongSupplier bytes) {
        extraDetails.put(name, bytes);
    }

    public MemoryReport report() {
        ProcessMemory process = ProcessMemory.read();
        NativeMemoryTracking.Summary summary = nmt.summary();
        var owners = new LinkedHashMap<String, Long>();
        var details = new LinkedHashMap<String, Long>();
        var estimates = new LinkedHashMap<String, MemoryReport.Estimate>();

        long fileMapped;
        SystemMap map = null;
        if (summary.enabled()) {
            map = SystemMap.read(commands);
            owners.put("java_heap", map.resident("JAVAHEAP"));
            owners.put("metaspace", map.resident("CLASS", "META"));
            owners.put("code_cache", map.resident("CODE"));
            owners.put("gc", map.resident("GC", "CARDTBL"));
            owners.put("thread_stacks", map.resident("STACK"));
            owners.put("class_data_sharing", map.resident("CDS"));
            long known = map.resident("JAVAHEAP", "CLASS", "META", "CODE", "GC", "CARDTBL", "STACK", "CDS");
            owners.put("jvm_other", map.taggedTotal() - known);
            fileMapped = map.fileUntagged();
            details.put("anonymous_untagged_resident", map.anonymousUntagged());
            details.put("malloc_arena_resident", map.mallocArenaResident());
            details.put("malloc_arena_mapped", map.mallocArenaMapped());
            summary.committedByCategory().forEach((category, bytes) ->
                    details.put("nmt_committed_" + NativeMemoryTracking.Summary.label(category), bytes));
        } else {
            owners.put("java_heap", ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getCommitted());
            long metaspace = 0;
            long code = 0;
            for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
                if (pool.getType() != MemoryType.NON_HEAP) continue;
                if (pool.getName().startsWith("CodeHeap") || pool.getName().equals("Code Cache")) {
                    code += pool.getUsage().getCommitted();
                } else {
                    metaspace += pool.getUsage().getCommitted();
                }
            }
            owners.put("metaspace", metaspace);
            owners.put("code_cache", code);
            fileMapped = process.file();
        }

        MallocStats stats = malloc.map(GlibcMalloc::stats).orElse(null);
        if (stats != null) {
            long inUse = stats.inUseBytes();
            long jvmMalloc = Math.min(summary.mallocBytes(), inUse);
            owners.put("malloc_jvm", jvmMalloc);
            long sources = 0;
            for (var e : mallocSources.entrySet()) {
                long b = Math.max(0, e.getValue().getAsLong());
                owners.put(e.getKey(), b);
                sources += b;
            }
            owners.put("malloc_other", Math.max(0, inUse - jvmMalloc - sources));
            // Free chunks need not be resident, so malloc_info's free bytes are only an upper
            // bound. The estimate is what the arenas' own mappings hold beyond their in-use
            // bytes: other anonymous memory (a library's mmap, a leak outside malloc) is not
            // in those mappings and stays in unaccounted. Without NMT there is no map to read.
            long upper = stats.freeBytes();
            long arenaInUse = inUse - stats.mmapBytes();
            long measured = map == null ? upper : map.mallocArenaResident() - arenaInUse;
            long freeResident = Math.clamp(measured, 0, upper);
            owners.put("malloc_free", freeResident);
            estimates.put("malloc_free", new MemoryReport.Estimate(freeResident, measured, upper));
            details.put("malloc_free_total", stats.freeBytes());
            details.put("malloc_system", stats.systemBytes());
        }
        owners.put("file_mappings", fileMapped);
        long sum = owners.values().stream().mapToLong(Long::longValue).sum();
        owners.put("unaccounted", process.rss() - sum);

        extraDetails.forEach((name, bytes) -> details.put(name, bytes.getAsLong()));
        var heap = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage();
        details.put("java_heap_used", heap.getUsed());
        details.put("java_heap_committed", heap.getCommitted());
        for (BufferPoolMXBean pool : ManagementFactory.getPlatformMXBeans(BufferPoolMXBean.class)) {
            details.put("buffer_pool_" + NativeMemoryTracking.Summary.label(pool.getName()), pool.getMemoryUsed());
        }
        details.put("rss_anon", process.anon());
        details.put("rss_file", process.file());
        details.put("rss_shmem", process.shmem());
        return new MemoryReport(process.rss(), summary.enabled(), Collections.unmodifiableMap(owners),
                Collections.unmodifiableMap(details), Collections.unmodifiableMap(estimates), stats);
    }
}
