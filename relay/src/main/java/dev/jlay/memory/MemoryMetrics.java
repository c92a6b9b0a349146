package dev.jlay.memory;

import dev.jlay.metrics.MetricRegistry;

import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Exports the RSS accounting as {@code relay_memory_bytes{owner}},
 * {@code relay_memory_upper_bound_bytes{owner}} (for the estimated owner, malloc_free),
 * {@code relay_process_resident_memory_bytes} and {@code relay_malloc_arena_bytes{arena,kind}}.
 * A report walks every mapping of the process, so it is refreshed on a timer, not per
 * scrape; gauges read the latest report.
 */
public final class MemoryMetrics implements AutoCloseable {
    /** Owners exported even before their first non-zero value, so the series are stable. */
    public static final List<String> OWNERS = List.of("java_heap", "metaspace", "code_cache", "gc",
            "thread_stacks", "class_data_sharing", "jvm_other", "malloc_jvm", "malloc_other", "malloc_free",
            "file_mappings", "unaccounted");
    /** Arenas exported one by one (glibc allows 8 per core; the appliance caps them lower); the rest sum under arena="other". */
    static final int MAX_ARENAS = 16;

    private final MemoryAccountant accountant;
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "jlay-memory-accounting");
        t.setDaemon(true);
        return t;
    });
    private volatile MemoryReport latest;

    public MemoryMetrics(MemoryAccountant accountant, MetricRegistry metrics, List<String> extraOwners) {
        this.accountant = accountant;
        this.latest = accountant.report();
        for (String owner : OWNERS) {
            register(metrics, owner);
        }
        for (String owner : extraOwners) {
            register(metrics, owner);
        }
        // Beside relay_memory_bytes, not in it: the owners there add up to RSS, a bound does not.
        metrics.gauge("relay_memory_upper_bound_bytes",
                "Upper bound of an owner that relay_memory_bytes reports as an estimate",
                "owner", "malloc_free", () -> {
                    MemoryReport.Estimate e = latest.estimates().get("malloc_free");
                    return e == null ? 0 : e.upperBound();
                });
        metrics.gauge("relay_process_resident_memory_bytes", "Resident set size of the relay process (VmRSS)",
                () -> latest.rss());
        metrics.gauge("relay_jvm_heap_used_bytes", "Java heap in use",
                () -> ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed());
        for (int i = 0; i < MAX_ARENAS; i++) {
            int arena = i;
            metrics.gauge("relay_malloc_arena_bytes", "glibc malloc arena bytes (every arena, from malloc_info)",
                    "arena", Integer.toString(i), "kind", "in_use", () -> arena(arena, true));
            metrics.gauge("relay_malloc_arena_bytes", "glibc malloc arena bytes (every arena, from malloc_info)",
                    "arena", Integer.toString(i), "kind", "free", () -> arena(arena, false));
        }
        metrics.gauge("relay_malloc_arena_bytes", "glibc malloc arena bytes (every arena, from malloc_info)",
                "arena", "other", "kind", "in_use", () -> arena(-1, true));
        metrics.gauge("relay_malloc_arena_bytes", "glibc malloc arena bytes (every arena, from malloc_info)",
                "arena", "other", "kind", "free", () -> arena(-1, false));
        metrics.gauge("relay_malloc_arena_bytes", "glibc malloc arena bytes (every arena, from malloc_info)",
                "arena", "mmap", "kind", "in_use", () -> latest.malloc() == null ? 0 : latest.malloc().mmapBytes());
    }

    private void register(MetricRegistry metrics, String owner) {
        metrics.gauge("relay_memory_bytes", "Resident memory by owner; the owners add up to RSS",
                "owner", owner, () -> latest.owner(owner));
    }

    private double arena(int number, boolean inUse) {
        MallocStats stats = latest.malloc();
        if (stats == null) {
            return 0;
        }
        long sum = 0;
        for (MallocStats.ArenaStats a : stats.arenas()) {
            boolean mine = number >= 0 ? a.number() == number : a.number() >= MAX_ARENAS;
            if (mine) {
                sum += inUse ? a.inUseBytes() : a.freeBytes();
            }
        }
        return sum;
    }

    public void start(Duration every) {
        timer.scheduleWithFixedDelay(this::refresh, every.toMillis(), every.toMillis(), TimeUnit.MILLISECONDS);
    }

    public MemoryReport refresh() {
        try {
            latest = accountant.report();
        } catch (RuntimeException e) {
            // Keep the last report; a failed walk of /proc must not stop the timer.
        }
        return latest;
    }

    public MemoryReport latest() {
        return latest;
    }

    @Override
    public void close() {
        timer.shutdownNow();
    }
}
