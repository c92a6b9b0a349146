package dev.jlay.memory;

import dev.jlay.metrics.MetricRegistry;

import static org.assertj.core.api.Assertions.assertThat;

import dev.jlay.eventlog.EventKind;
import dev.jlay.eventlog.EventLogService;
import dev.jlay.eventlog.Sequencer;
import dev.jlay.pipeline.PipelineMetrics;
import dev.jlay.pipeline.StageRecorder;
import dev.jlay.pipeline.StageRecorder.PipelineStage;
import dev.jlay.testing.SeqStampedFrames;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code memory.stage-meters: false} exists to measure what the meters cost, so with it off no
 * per-event read of the thread allocation counter may remain (issue 5: the first read of each
 * window used to happen in the callers). The counter is replaced by one that counts its reads.
 */
class StageMetersOffTest {
    @TempDir
    Path dir;

    /** Counts reads; answers a growing figure like the JVM's counter. */
    static final class CountingCounter implements AllocationCounter {
        final AtomicLong reads = new AtomicLong();

        @Override
        public long currentThreadBytes() {
            return 1000 * reads.incrementAndGet();
        }
    }

    @Test
    void metersOffReadNoCounterOnTheWorkerPathOrInTheSequencer() throws Exception {
        var counter = new CountingCounter();
        var metrics = new MetricRegistry(false, counter);
        runWorkerWindowsAndSequencer(metrics, 200);
        assertThat(counter.reads.get()).as("counter reads with the meters off").isZero();
        assertThat(metrics.stage(Stage.DECODE).events()).isZero();
        assertThat(metrics.stage(Stage.SEQUENCE).events()).isZero();
        for (var stage : Stage.values()) {
            assertThat(metrics.stage(stage).allocatedNow()).isEqualTo(-1);
            assertThat(metrics.stage(stage).enabled()).isFalse();
        }
        assertThat(counter.reads.get()).isZero();
    }

    @Test
    void metersOnReadTheCounterAroundEveryWindow() throws Exception {
        var counter = new CountingCounter();
        var metrics = new MetricRegistry(true, counter);
        runWorkerWindows(metrics, 200);
        // the worker windows are chained: one read per boundary, four for three stages per frame
        assertThat(counter.reads.get()).isEqualTo(4 * 200);
        assertThat(metrics.stage(Stage.DECODE).events()).isEqualTo(200);
        assertThat(metrics.stage(Stage.DECODE).allocatedBytes()).isEqualTo(200 * 1000);
        assertThat(metrics.stage(Stage.VALIDATE).allocatedBytes()).isEqualTo(200 * 1000);
        runSequencer(metrics, 200);
        assertThat(metrics.stage(Stage.SEQUENCE).events()).isEqualTo(200);
        assertThat(counter.reads.get()).isGreaterThanOrEqualTo(4 * 200 + 2 * 3);
    }

    private void runWorkerWindowsAndSequencer(MetricRegistry metrics, int frames) throws Exception {
        runWorkerWindows(metrics, frames);
        runSequencer(metrics, frames);
    }

    /** The worker's windows as {@code ValidatingProcessor} opens them: chained, each boundary read once. */
    private static void runWorkerWindows(MetricRegistry metrics, int frames) {
        StageRecorder stages = PipelineMetrics.stages(metrics);
        for (int i = 0; i < frames; i++) {
            long t = System.nanoTime();
            long a = stages.allocatedNow();
            for (var stage : new PipelineStage[]{PipelineStage.DECODE, PipelineStage.IDENTITY, PipelineStage.VALIDATE}) {
                long end = System.nanoTime();
                long endAllocated = stages.allocatedNow();
                stages.record(stage, t, a, end, endAllocated);
                t = end;
                a = endAllocated;
            }
        }
    }

    /** Real appends through the sequencer. */
    private void runSequencer(MetricRegistry metrics, int frames) throws Exception {
        var settings = new EventLogService.Settings(dir.resolve("log"), 1, 64, 1 << 20,
                new Sequencer.Options(256, 32, TimeUnit.MILLISECONDS.toNanos(1)),
                Duration.ofHours(72), Long.MAX_VALUE, Duration.ofHours(1), 1 << 20);
        try (var svc = new EventLogService(settings, SeqStampedFrames.STAMPER, metrics, System::currentTimeMillis)) {
            var futures = new ArrayList<CompletableFuture<Long>>();
            for (int i = 0; i < frames; i++) {
                futures.add(svc.sequencer().append(SeqStampedFrames.payload(i, 64), EventKind.COMMIT, "did:plc:off" + (i % 7)));
            }
            CompletableFuture.allOf(futures.toArray(CompletableFuture[]::new)).get(30, TimeUnit.SECONDS);
            assertThat(svc.log().lastSeq()).isEqualTo(frames);
        }
    }

    /**
     * Every stage window takes its start from its meter ({@link StageMeter#allocatedNow()}), which
     * reads nothing when off; a direct read elsewhere would bring back the cost the switch removes.
     */
    @Test
    void onlyTheMetersReadTheThreadCounter() throws IOException {
        Path main = Path.of("src/main/java/dev/jlay");
        assertThat(main).isDirectory();
        var offenders = new ArrayList<String>();
        try (Stream<Path> files = Files.walk(main)) {
            for (Path f : files.filter(p -> p.toString().endsWith(".java")).toList()) {
                if (f.startsWith(main.resolve("memory"))) continue;
                String text = Files.readString(f);
                if (text.contains("ThreadAllocation.currentThreadBytes") || text.contains("getCurrentThreadAllocatedBytes")) {
                    offenders.add(main.relativize(f).toString());
                }
            }
        }
        assertThat(offenders).as("read the thread allocation counter outside the stage meters").isEmpty();
    }
}
