package dev.jlay.memory;

import dev.jlay.metrics.MetricRegistry;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MemoryMetricsTest {
    @TempDir
    Path dir;

    @Test
    void exportsOwnersThatAddUpToRssAndEveryArena() throws Exception {
        var metrics = new MetricRegistry();
        var accountant = MemoryAccountant.create();
        accountant.registerMallocSource("rocksdb", () -> 0);
        try (var memory = new MemoryMetrics(accountant, metrics, List.of("rocksdb"))) {
            MemoryReport report = memory.refresh();
            String text = metrics.render();
            long sum = 0;
            for (String line : text.lines().toList()) {
                if (line.startsWith("relay_memory_bytes{")) {
                    sum += (long) Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
                }
            }
            assertThat(sum).isEqualTo(report.rss());
            assertThat(text).contains("relay_memory_bytes{owner=\"rocksdb\"} 0")
                    .contains("relay_malloc_arena_bytes{arena=\"0\",kind=\"in_use\"}")
                    .contains("relay_process_resident_memory_bytes ");
            assertThat(promtool(text)).as("promtool check metrics").isZero();
        }
    }

    private int promtool(String text) throws IOException, InterruptedException {
        Path file = dir.resolve("metrics.txt");
        Files.writeString(file, text);
        Process p = new ProcessBuilder("promtool", "check", "metrics").redirectInput(file.toFile())
                .redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
        if (p.exitValue() != 0) {
            System.err.println(out);
        }
        return p.exitValue();
    }
}
