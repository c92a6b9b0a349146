package dev.jlay.memory;

import static org.assertj.core.api.Assertions.assertThat;

import dev.jlay.testing.NativeHeap;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Runs in a JVM with -XX:NativeMemoryTracking=summary (surefire argLine), like the appliance. */
class MemoryAccountantTest {

    private final MemoryAccountant accountant = MemoryAccountant.create();

    @Test
    void ownersAddUpToRssAndLeaveLittleUnaccounted() {
        MemoryReport report = accountant.report();
        assertThat(report.nmtEnabled()).isTrue();
        long sum = report.owners().values().stream().mapToLong(Long::longValue).sum();
        assertThat(sum).isEqualTo(report.rss());
        assertThat(report.owner("java_heap")).isPositive();
        assertThat(report.owner("metaspace")).isPositive();
        assertThat(report.owner("code_cache")).isPositive();
        assertThat(report.owner("thread_stacks")).isPositive();
        assertThat(report.owner("file_mappings")).isPositive();
        assertThat(report.malloc().arenas()).isNotEmpty();
        assertThat(Math.abs(report.unaccounted()))
                .as("unaccounted %s of rss %s; owners %s details %s", report.unaccounted(), report.rss(), report.owners(), report.details())
                .isLessThan(report.rss() / 10);
    }

    @Test
    void aNativeLeakShowsAsMallocOtherAndTrimReturnsFreedMemory() throws Throwable {
        long before = accountant.report().owner("malloc_other");
        List<MemorySegment> leaked = new ArrayList<>();
        long chunk = 64 * 1024; // below the mmap threshold: served from an arena
        for (int i = 0; i < 1600; i++) {
            leaked.add(NativeHeap.mallocTouched(chunk));
        }
        long leakedBytes = chunk * leaked.size();
        long during = accountant.report().owner("malloc_other");
        // Other threads of the test JVM (JIT, GC, JFR) malloc and free meanwhile: allow them 30 %.
        assertThat(during - before).isBetween(leakedBytes * 7 / 10, leakedBytes * 13 / 10);

        for (MemorySegment p : leaked) {
            NativeHeap.free(p);
        }
        MemoryReport afterFree = accountant.report();
        assertThat(afterFree.owner("malloc_other")).isLessThan(during - leakedBytes / 2);
        GlibcMalloc.TrimResult trim = accountant.malloc().orElseThrow().trim();
        // other threads of the JVM free meanwhile: trim must not leave more than a little more free memory
        assertThat(trim.mallocFreeAfter()).isLessThanOrEqualTo(trim.mallocFreeBefore() + (8L << 20));
    }

    @Test
    void mallocInfoCoversEveryArena() {
        MallocStats stats = accountant.malloc().orElseThrow().stats();
        assertThat(stats.arenas()).extracting(MallocStats.ArenaStats::number).contains(0);
        assertThat(stats.systemBytes()).isGreaterThanOrEqualTo(stats.inUseBytes());
    }

    @Test
    void parsesMallocInfoXml() {
        String xml = """
                <malloc version="1">
                <heap nr="0">
                <sizes>
                </sizes>
                <total type="fast" count="2" size="96"/>
                <total type="rest" count="3" size="1000"/>
                <system type="current" size="135168"/>
                <system type="max" size="135168"/>
                </heap>
                <heap nr="1">
                <total type="fast" count="0" size="0"/>
                <total type="rest" count="1" size="5000"/>
                <system type="current" size="200000"/>
                </heap>
                <total type="fast" count="2" size="96"/>
                <total type="rest" count="4" size="6000"/>
                <total type="mmap" count="2" size="4000000"/>
                <system type="current" size="335168"/>
                </malloc>
                """;
        MallocStats stats = MallocStats.parse(xml);
        assertThat(stats.arenas()).hasSize(2);
        assertThat(stats.arenas().get(0).freeBytes()).isEqualTo(1096);
        assertThat(stats.arenas().get(1).inUseBytes()).isEqualTo(195000);
        assertThat(stats.mmapBytes()).isEqualTo(4000000);
        assertThat(stats.inUseBytes()).isEqualTo(134072 + 195000 + 4000000);
    }

    @Test
    void nmtReportsAndParses() {
        NativeMemoryTracking nmt = accountant.nmt();
        assertThat(nmt.enabled()).isTrue();
        NativeMemoryTracking.Summary summary = nmt.summary();
        assertThat(summary.committedByCategory()).containsKeys("Java Heap", "Class", "Thread", "Code", "GC");
        assertThat(summary.mallocBytes()).isPositive();
        assertThat(nmt.baseline()).containsIgnoringCase("baseline");
        assertThat(nmt.diffText()).contains("Native Memory Tracking");
        assertThat(NativeMemoryTracking.Summary.label("Java Heap")).isEqualTo("java_heap");
    }

    @Test
    void nmtOffIsSaidPlainly() {
        var summary = NativeMemoryTracking.parse("Native memory tracking is not enabled\n");
        assertThat(summary.enabled()).isFalse();
        assertThat(summary.committedByCategory()).isEmpty();
    }
}
