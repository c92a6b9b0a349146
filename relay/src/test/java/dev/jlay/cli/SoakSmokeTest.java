package dev.jlay.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.jlay.testing.TestPostgres;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * soak, tiny: a simulator process and a relay process, one consumer, 150 events. Real
 * measurements are run by hand (docs/benchmarks.md), never in the suite.
 */
class SoakSmokeTest {

    @TempDir
    Path dir;

    @Test
    void drivesFramesThroughSeparateProcessesAndWritesTheReport() throws Exception {
        String db = TestPostgres.freshDatabase("soak");
        try {
            Path report = dir.resolve("report.json");
            int rc = new CommandLine(new SoakCommand()).execute("--hosts", "2", "--frames", "150", "--consumers", "1",
                    "--database-url", db, "--report", report.toString(), "--work-dir", dir.resolve("work").toString(),
                    "--stall-seconds", "90", "--warmup-frames", "50");
            var r = new ObjectMapper().readTree(report.toFile());
            assertThat(rc).as(r.toString()).isZero();
            assertThat(r.get("complete").asBoolean()).isTrue();
            assertThat(r.get("frames").asLong()).isEqualTo(150);
            assertThat(r.get("drops").size()).isZero();
            // headline figures exclude the warm-up; the whole run is reported beside them
            assertThat(r.get("latency_ms").get("measured").asLong()).isEqualTo(100);
            assertThat(r.get("whole_run").get("latency_ms").get("measured").asLong()).isEqualTo(150);
            // the rate's warm-up mark is a 1-s sample: on a fast machine all 150 may arrive before it
            long warm = r.get("warmup").get("frames").asLong();
            assertThat(warm == 0 || warm >= 50).as("warm-up frames %d", warm).isTrue();
            assertThat(r.get("measured_frames").asLong()).isEqualTo(150 - warm);
            assertThat(r.get("stage_latency_ms").has("validate")).isTrue();
            assertThat(r.get("instrumentation").get("jfr").asBoolean()).isTrue();
            assertThat(r.get("consumers_check").get("seq_backwards").asLong()).isZero();
            assertThat(r.get("rss_bytes").size()).isPositive();
            assertThat(r.get("rss_bytes").get(0).get("rss").asLong()).isPositive();
            assertThat(r.has("alloc_bytes_per_frame")).isTrue();
            assertThat(r.get("memory_samples").isArray()).isTrue();
            assertThat(r.get("memory_slope_bytes_per_frame").isObject()).isTrue();
        } finally {
            TestPostgres.dropDatabase(db);
        }
    }
}
