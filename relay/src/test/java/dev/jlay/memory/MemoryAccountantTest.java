package dev.jlay.memory;

import static org.assertj.core.api.Assertions.assertThat;

import dev.jlay.testing.NativeHeap;
import java.lang.foreign.MemorySegment;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryType;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** Runs in a JVM with -XX:NativeMemoryTracking=summary (surefire argLine), like the appliance. */
// Own JVM: it weighs the process's memory against independent readings; in the shared test JVM,
// threads left by earlier test classes (clients, servers) malloc, free and load classes between
// two readings (a full suite saw malloc_free move 12 MB and metaspace grow past JMX's figure).
@Tag("own-jvm")
class MemoryAccountantTest {

    private final MemoryAccountant accountant = MemoryAccountant.create();

    /**
     * Each owner beside a reading that does not come from System.map: the JVM's own pools over
     * JMX, /proc/self/status, malloc_info. The owners add up to RSS by construction, and so that
     * alone proves nothing; these can fail.
     */
    @Test
    void ownersAgreeWithIndependentReadings() {
        long heapUsedBefore = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
        long heapCommittedBefore = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getCommitted();
        MemoryReport report = accountant.report();
        long heapCommitted = Math.max(heapCommittedBefore,
                ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getCommitted());
        var context = "owners %s details %s".formatted(report.owners(), report.details());
        assertThat(report.nmtEnabled()).isTrue();

        // resident heap: every used byte was written, and nothing outside the committed heap
        assertThat(report.owner("java_heap")).as(context)
                .isGreaterThanOrEqualTo(heapUsedBefore * 9 / 10)
                .isLessThanOrEqualTo(heapCommitted + MIB);
        long metaspaceCommitted = committed(p -> p.equals("Metaspace") || p.equals("Compressed Class Space"));
        assertThat(report.owner("metaspace")).as(context).isPositive().isLessThanOrEqualTo(metaspaceCommitted + 4 * MIB);
        long codeCommitted = committed(p -> p.startsWith("CodeHeap") || p.equals("Code Cache"));
        assertThat(report.owner("code_cache")).as(context).isPositive().isLessThanOrEqualTo(codeCommitted + 4 * MIB);
        assertThat(report.owner("thread_stacks")).isPositive();

        // the kernel's own split: file-backed pages are file mappings, CDS (a mapped archive) included
        ProcessMemory status = ProcessMemory.read();
        long fileBacked = report.owner("file_mappings") + report.owner("class_data_sharing");
        assertThat(fileBacked).as(context).isCloseTo(status.file(), org.assertj.core.data.Offset.offset(32 * MIB));

        // the arenas recognised in the map cover what malloc_info says the arenas hold
        MallocStats stats = accountant.malloc().orElseThrow().stats();
        long arenaSystem = stats.arenas().stream().mapToLong(MallocStats.ArenaStats::systemBytes).sum();
        assertThat(report.details().get("malloc_arena_mapped")).as(context)
                .isGreaterThanOrEqualTo(arenaSystem - 16 * MIB);
        assertThat(report.details().get("malloc_arena_resident")).as(context)
                .isLessThanOrEqualTo(report.details().get("malloc_arena_mapped"));
        MemoryReport.Estimate free = report.estimates().get("malloc_free");
        assertThat(free.bytes()).isEqualTo(report.owner("malloc_free")).isBetween(0L, free.upperBound());

        // with malloc_free no longer soaking up other anonymous memory, this is a real check
        assertThat(Math.abs(report.unaccounted())).as("unaccounted %s of rss %s; %s", report.unaccounted(), report.rss(), context)
                .isLessThan(report.rss() / 10);
    }

    /**
     * Anonymous memory that malloc does not own (a library's own mmap) must show as unaccounted,
     * not be taken for free malloc memory. glibc is first left holding free bytes that are not
     * resident (freed, then trimmed), the case in which a bound of "free bytes" would absorb it.
     */
    @Test
    void anonymousMemoryOutsideMallocIsUnaccountedNotMallocFree() throws Throwable {
        List<MemorySegment> chunks = new ArrayList<>();
        for (int i = 0; i < 1024; i++) {
            chunks.add(NativeHeap.mallocTouched(64 * 1024));
        }
        MemorySegment guard = NativeHeap.mallocTouched(64 * 1024); // keeps the freed run below the top
        for (MemorySegment p : chunks) {
            NativeHeap.free(p);
        }
        accountant.malloc().orElseThrow().trim();
        long mapped = 48L << 20; // not a multiple of glibc's 64 MiB arena heaps
        try {
            MemoryReport before = accountant.report();
            MemorySegment region = NativeHeap.mmapTouched(mapped);
            MemoryReport during;
            try {
                during = accountant.report();
            } finally {
                NativeHeap.munmap(region);
            }
            MemoryReport after = accountant.report();
            var context = "before %s%nduring %s%nafter %s".formatted(before.owners(), during.owners(), after.owners());
            assertThat(before.estimates().get("malloc_free").upperBound() - before.owner("malloc_free"))
                    .as("glibc holds free bytes that are not resident: " + context)
                    .isGreaterThan(mapped / 2);
            assertThat(during.owner("malloc_free") - before.owner("malloc_free")).as(context).isLessThan(mapped / 8);
            assertThat(during.unaccounted() - before.unaccounted()).as(context).isGreaterThan(mapped * 3 / 4);
            assertThat(during.unaccounted() - after.unaccounted()).as(context).isGreaterThan(mapped * 3 / 4);
        } finally {
            NativeHeap.free(guard);
        }
    }

    private static final long MIB = 1L << 20;

    private static long committed(java.util.function.Predicate<String> pool) {
        return ManagementFactory.getMemoryPoolMXBeans().stream().filter(p -> p.getType() == MemoryType.NON_HEAP)
                .filter(p -> pool.test(p.getName())).mapToLong(p -> p.getUsage().getCommitted()).sum();
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
    void systemMapTellsGlibcArenasFromOtherAnonymousMemory() {
        String map = """
                0x000055ff7a0b6000-0x000055ff7a0ff000       299008 rw-p        98304            0 4K   com              -                                     [heap]
                0x00007f4714000000-0x00007f4714318000      3244032 rw-p      2220032            0 4K   -                -                                     -
                0x00007f4714318000-0x00007f4718000000     63864832 ---p            0            0 4K   -                -                                     -
                0x00007f4718000000-0x00007f471c000000     67108864 rw-p     67108864            0 4K   -                -                                     -
                0x00007f4720000000-0x00007f4723000000     50331648 rw-p     50331648            0 4K   -                -                                     -
                0x00007f4724200000-0x00007f4724300000      1048576 rw-p      1048576            0 4K   -                -                                     -
                0x00007f4724300000-0x00007f4728000000     63963136 ---p            0            0 4K   -                -                                     -
                0x00007f4734190000-0x00007f4734400000      2555904 rw-p      2555904            0 4K   -                META                                  -
                0x00007f4740000000-0x00007f4740100000      1048576 rw-p      1048576            0 4K   -                -                                     /usr/lib/libc.so.6
                """;
        SystemMap parsed = SystemMap.parse(map);
        // [heap], a growing heap, a full heap; not the aligned mmap without the reserve behind it,
        // the unaligned one before a reserve, the tagged one or the file
        assertThat(parsed.mallocHeaps()).isEqualTo(3);
        assertThat(parsed.mallocArenaResident()).isEqualTo(98304 + 2220032 + 67108864);
        assertThat(parsed.mallocArenaMapped()).isEqualTo(299008 + 3244032 + 67108864);
        assertThat(parsed.anonymousUntagged()).isEqualTo(98304 + 2220032 + 67108864 + 50331648 + 1048576);
        assertThat(parsed.resident("META")).isEqualTo(2555904);
        assertThat(parsed.fileUntagged()).isEqualTo(1048576);
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
    void theSummaryCountsStacksIntoThreadAndJfrApart() {
        var summary = NativeMemoryTracking.parse("""
                Native Memory Tracking:

                Total: reserved=7908901040, committed=473927856
                       malloc: 6975664 #4951, peak=6892874 #4956

                -                 Java Heap (reserved=6320816128, committed=402653184)
                                            (mmap: reserved=6320816128, committed=402653184, at peak)

                -                    Thread (reserved=12635480, committed=576856)
                                            (threads #12)
                                            (stack: reserved=12582912, committed=524288, peak=524288)
                                            (malloc=35768 tag=Thread #97) (peak=44136 #101)

                -                      Code (reserved=253688864, committed=7781408)
                                            (mmap: reserved=253636608, committed=7729152, at peak)
                """);
        assertThat(summary.committedByCategory()).containsEntry("Thread", 576856L);
        assertThat(summary.threadStackBytes()).isEqualTo(524288);
        assertThat(summary.committedByJfrType()).containsEntry("Thread", 576856L - 524288)
                .containsEntry("Thread Stack", 524288L).containsEntry("Java Heap", 402653184L)
                .containsEntry("Code", 7781408L);
    }

    @Test
    void nmtOffIsSaidPlainly() {
        var summary = NativeMemoryTracking.parse("Native memory tracking is not enabled\n");
        assertThat(summary.enabled()).isFalse();
        assertThat(summary.committedByCategory()).isEmpty();
    }
}
