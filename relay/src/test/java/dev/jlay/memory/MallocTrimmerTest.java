package dev.jlay.memory;

import dev.jlay.metrics.MetricRegistry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.jlay.testing.NativeHeap;
import java.lang.foreign.MemorySegment;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The scheduled malloc_trim against glibc itself: memory freed below a live chunk stays resident
 * (glibc only gives back a free top), and the trimmer hands it back.
 */
class MallocTrimmerTest {
    private static final long CHUNK = 16 * 1024; // below the mmap threshold: served from an arena
    private static final int CHUNKS = 4096; // 64 MiB

    @Test
    void freedButResidentMemoryIsHandedBackOnSchedule() throws Throwable {
        var malloc = GlibcMalloc.load().orElseThrow();
        var metrics = new MetricRegistry(false);
        List<MemorySegment> chunks = new ArrayList<>();
        for (int i = 0; i < CHUNKS; i++) {
            chunks.add(NativeHeap.mallocTouched(CHUNK));
        }
        // free all but the last: the freed 64 MiB sit below a live chunk, so free() keeps them resident
        for (MemorySegment p : chunks.subList(0, CHUNKS - 1)) {
            NativeHeap.free(p);
        }
        long rssBefore = ProcessMemory.read().rss();
        try (var trimmer = MallocTrimmer.start(malloc, Duration.ofMillis(200), metrics)) {
            await().atMost(Duration.ofSeconds(20)).until(() -> counter(metrics, "relay_malloc_trims_total") >= 2);
            long returned = counter(metrics, "relay_malloc_trim_returned_bytes_total");
            assertThat(returned).as("bytes the trims returned").isGreaterThan(CHUNK * CHUNKS / 2);
            assertThat(ProcessMemory.read().rss()).isLessThan(rssBefore - CHUNK * CHUNKS / 2);
        } finally {
            NativeHeap.free(chunks.getLast());
        }
    }

    @Test
    void aZeroIntervalStartsNothing() throws Exception {
        var metrics = new MetricRegistry(false);
        try (var trimmer = MallocTrimmer.start(GlibcMalloc.load().orElseThrow(), Duration.ZERO, metrics)) {
            assertThat(metrics.render()).doesNotContain("relay_malloc_trims_total");
        }
    }

    private static long counter(MetricRegistry metrics, String name) {
        return metrics.render().lines().filter(l -> l.startsWith(name + " ")).findFirst()
                .map(l -> (long) Double.parseDouble(l.substring(name.length() + 1))).orElse(0L);
    }
}
