package dev.jlay.pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.jlay.atproto.stream.FirehoseCodec;
import dev.jlay.atproto.stream.SeqStamp;
import dev.jlay.atproto.stream.SequencedMessage;
import dev.jlay.eventlog.EventLogService;
import dev.jlay.eventlog.Sequencer;
import dev.jlay.memory.Metrics;
import dev.jlay.memory.Stage;
import dev.jlay.memory.ThreadAllocation;
import dev.jlay.store.InMemoryStorage;
import dev.jlay.testing.SharedFixtures;
import dev.jlay.upstream.UpstreamFrame;
import dev.jlay.validate.ValidationConfig;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 5's sum check: the corpus through the real pipeline (4 platform workers, the sequencer,
 * a RocksDB event log); the heap bytes the stage meters count must be at least 90 % of what the
 * pipeline's threads allocated in total (their exact per-thread counters). The rest is what
 * {@code relay_stage_allocated_bytes_total{stage="unattributed"}} shows for the whole process.
 */
class StageAllocationShareTest {
    private static final List<Stage> PIPELINE_THREAD_STAGES = List.of(Stage.DECODE, Stage.IDENTITY, Stage.VALIDATE,
            Stage.MST, Stage.RESOLVER, Stage.DB, Stage.SEQUENCE, Stage.PERSIST, Stage.BROADCAST);

    @TempDir
    Path dir;

    record Run(long threadBytes, long stageBytes, long processBytes, long frames, long unattributedProcess,
               String detail) {
        double share() {
            return (double) stageBytes / threadBytes;
        }

        double processShare() {
            return (double) stageBytes / processBytes;
        }
    }

    @Test
    void stageMetersAccountForAtLeastNinetyPercentOfThePipelineThreadsAllocation() throws Exception {
        run(dir.resolve("warmup")); // class loading and JIT of the first run are not the steady state
        var run = run(dir.resolve("measured"));
        System.out.printf("stage allocation share: %.1f %% of %d bytes on pipeline threads, %.1f %% of %d bytes "
                        + "allocated by the whole test JVM meanwhile (%d frames, %d bytes/frame; stages %s)%n",
                100 * run.share(), run.threadBytes(), 100 * run.processShare(), run.processBytes(), run.frames(),
                run.threadBytes() / run.frames(), run.detail());
        assertThat(run.frames()).isEqualTo(698);
        assertThat(run.share()).as("stage bytes / pipeline thread bytes; stages: %s", run.detail())
                .isBetween(0.90, 1.0);
        // issue 5's wording: against the whole process's allocation over the same window
        assertThat(run.processShare()).as("stage bytes / bytes allocated by every thread of the JVM")
                .isBetween(0.90, 1.0);
        assertThat(run.unattributedProcess()).as("unattributed is exported and non-negative").isGreaterThanOrEqualTo(0);
    }

    private Run run(Path eventLogDir) throws Exception {
        var metrics = new Metrics();
        var docs = OfflineDocuments.read(SharedFixtures.corpusDir().resolve("did-docs.json"));
        var identities = new OfflineIdentities(docs);
        var storage = new InMemoryStorage();
        var state = new StoreChainState(storage.repoState(), storage.accounts());
        var settings = new Pipeline.Settings(new FrameWorkerPool.Config(4, 64,
                new ParkingLot.Limits(10_000, 64L << 20, 5_000, TimeUnit.SECONDS.toNanos(30))),
                ValidationConfig.strict());
        var frames = new ArrayList<UpstreamFrame>();
        for (var file : List.of(new String[] {"pds0.frames", "localhost:2583"},
                new String[] {"pds1.frames", "localhost:2584"})) {
            for (byte[] frame : FrameFile.read(SharedFixtures.corpusDir().resolve(file[0]))) {
                var m = (SequencedMessage) FirehoseCodec.decode(frame);
                frames.add(new UpstreamFrame(file[1], m.type(), m.seq(), m.did(), frame, 0, System.nanoTime()));
            }
        }
        var logSettings = new EventLogService.Settings(eventLogDir, 1, 4096, 64L << 20,
                new Sequencer.Options(1024, 64, TimeUnit.MILLISECONDS.toNanos(1)),
                Duration.ofHours(72), Long.MAX_VALUE, Duration.ofHours(1), 8L << 20);
        try (var events = new EventLogService(logSettings, SeqStamp::withSeq, metrics, System::currentTimeMillis);
             var pipeline = Pipeline.create(settings, state, identities, identities,
                     Pipeline.toSequencer(events.sequencer(), state.settled()), metrics, Clock.systemUTC(), null)) {
            var threads = new ArrayList<>(pipeline.pool().threads());
            Thread.getAllStackTraces().keySet().stream().filter(t -> t.getName().equals("sequencer")).forEach(threads::add);
            long processBefore = ThreadAllocation.totalBytes();
            long before = threadBytes(threads);
            long stagesBefore = stageBytes(metrics);
            for (var f : frames) {
                pipeline.put(f);
            }
            await().atMost(Duration.ofSeconds(120)).until(() -> events.log().lastSeq() == frames.size()
                    && pipeline.pool().idle());
            long after = threadBytes(threads);
            long processAfter = ThreadAllocation.totalBytes();
            long stagesAfter = stageBytes(metrics);
            var detail = new StringBuilder();
            for (var s : PIPELINE_THREAD_STAGES) {
                detail.append(s.label()).append('=').append(metrics.stage(s).allocatedBytes() / frames.size())
                        .append(' ');
            }
            detail.append("B/frame");
            return new Run(after - before, stagesAfter - stagesBefore, processAfter - processBefore,
                    pipeline.counters().total("accepted"),
                    metrics.unattributedBytes(), detail.toString());
        }
    }

    private static long threadBytes(List<Thread> threads) {
        long sum = 0;
        for (var t : threads) {
            long b = ThreadAllocation.threadBytes(t);
            assertThat(b).as("allocation of %s", t.getName()).isNotNegative();
            sum += b;
        }
        return sum;
    }

    private static long stageBytes(Metrics metrics) {
        long sum = 0;
        for (var s : PIPELINE_THREAD_STAGES) {
            sum += metrics.stage(s).allocatedBytes();
        }
        return sum;
    }
}
