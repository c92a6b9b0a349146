package dev.jlay.memory;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ProfilerTest {
    @TempDir
    Path dir;

    /** A stage that leaks: one native buffer per call, never freed (the Zig relay's bug). */
    static final class LeakyResolver {
        final List<MemorySegment> forgotten = new ArrayList<>();

        void lookUpDid() {
            forgotten.add(Arena.global().allocate(1024));
        }
    }

    @Test
    void nativememProfileNamesTheLeakingCallSite() throws Exception {
        var profiler = new Profiler(dir, Duration.ofSeconds(30), 5, 50_000_000);
        var leaky = new LeakyResolver();
        var stop = new AtomicBoolean();
        var load = CompletableFuture.runAsync(() -> {
            // Bounded: at most 20,000 leaked KiB-buffers (20 MiB) for the test JVM.
            while (!stop.get() && leaky.forgotten.size() < 20_000) {
                leaky.lookUpDid();
                if (leaky.forgotten.size() % 100 == 0) {
                    sleep(10);
                }
            }
        });
        Path out;
        try {
            out = profiler.profile(Profiler.Event.NATIVEMEM, Duration.ofSeconds(2), Profiler.Format.COLLAPSED);
        } finally {
            stop.set(true);
            load.join();
        }
        long leakSamples = Files.readAllLines(out).stream()
                .filter(l -> l.contains("LeakyResolver.lookUpDid"))
                .mapToLong(l -> Long.parseLong(l.substring(l.lastIndexOf(' ') + 1)))
                .sum();
        assertThat(leakSamples).as("unfreed allocations attributed to the leaking method").isGreaterThan(100);
    }

    @Test
    void allocationProfileAsFlameGraphAndOneAtATime() throws Exception {
        var profiler = new Profiler(dir, Duration.ofSeconds(30), 5, 50_000_000);
        var first = CompletableFuture.supplyAsync(() -> {
            try {
                return profiler.profile(Profiler.Event.ALLOC, Duration.ofSeconds(2), Profiler.Format.HTML);
            } catch (Exception e) {
                throw new RuntimeException(e);
            }
        });
        long deadline = System.nanoTime() + 5_000_000_000L;
        while (!profiler.busy() && System.nanoTime() < deadline) {
            Thread.onSpinWait();
        }
        assertThatThrownBy(() -> profiler.profile(Profiler.Event.CPU, Duration.ofSeconds(1), Profiler.Format.JFR))
                .isInstanceOf(Profiler.BusyException.class);
        Path html = first.join();
        assertThat(Files.readString(html)).contains("<html").contains("flame");
        assertThatThrownBy(() -> profiler.profile(Profiler.Event.CPU, Duration.ofSeconds(31), Profiler.Format.JFR))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void keepsABoundedNumberOfProfiles() throws Exception {
        var profiler = new Profiler(dir, Duration.ofSeconds(30), 2, 50_000_000);
        var written = new ArrayList<Path>();
        for (int i = 0; i < 3; i++) {
            // back to back, usually within one second: the names must still differ
            written.add(profiler.profile(Profiler.Event.WALL, Duration.ofMillis(300), Profiler.Format.COLLAPSED));
        }
        assertThat(written).doesNotHaveDuplicates();
        assertThat(profiler.kept()).containsExactly(written.get(2), written.get(1));
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
