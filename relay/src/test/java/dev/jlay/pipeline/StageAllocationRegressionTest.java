package dev.jlay.pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.jlay.atproto.stream.FirehoseCodec;
import dev.jlay.atproto.stream.SeqStamp;
import dev.jlay.atproto.stream.SequencedMessage;
import dev.jlay.eventlog.EventLogService;
import dev.jlay.eventlog.Sequencer;
import dev.jlay.atproto.crypto.Curve;
import dev.jlay.crypto.CurveVerifiers;
import dev.jlay.crypto.NativeSecp256k1Verifier;
import dev.jlay.memory.Stage;
import dev.jlay.metrics.MetricRegistry;
import dev.jlay.store.InMemoryStorage;
import dev.jlay.testing.SharedFixtures;
import dev.jlay.upstream.UpstreamFrame;
import dev.jlay.validate.ValidationConfig;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 16's regression guard: the corpus through the real pipeline (4 platform workers, the
 * sequencer, a RocksDB event log, real signatures) with the stage meters on; the heap bytes per
 * frame of every stage, and their sum, must stay within 20 % of {@code alloc-baseline.json}
 * ({@link AllocationBaseline}). The pipeline's threads are platform threads, so the per-stage
 * figures are the JVM's exact per-thread counters. Warm-up passes first (class loading, JIT and
 * its escape analysis change what a frame allocates), then one measured pass with a registry of
 * its own. Tagged {@code own-jvm} so the JIT state is this test's alone.
 */
@Tag("own-jvm")
class StageAllocationRegressionTest {
    /** The stages whose work runs on the pipeline's platform threads (receive runs on virtual threads). */
    static final List<Stage> METERED = List.of(Stage.DECODE, Stage.IDENTITY, Stage.VALIDATE, Stage.MST,
            Stage.RESOLVER, Stage.DB, Stage.SEQUENCE, Stage.PERSIST, Stage.BROADCAST, Stage.INDEX);
    static final int WARMUP_PASSES = 3;

    @TempDir
    Path dir;

    @Test
    void metredAllocationPerFrameStaysWithinTwentyPercentOfTheCommittedBaseline() throws Exception {
        var baseline = AllocationBaseline.load();
        // the relay's own choice (Relay.java): the baseline is the production configuration's figure
        var signatures = CurveVerifiers.choose();
        assertThat(signatures.implementation(Curve.K256)).as("libsecp256k1 is installed (scripts/ci-setup, the "
                + "README's test command): the baseline is its figure; %s", signatures.summary())
                .isEqualTo(NativeSecp256k1Verifier.NAME);
        var frames = corpus();
        for (int i = 0; i < WARMUP_PASSES; i++) {
            run(frames, signatures, dir.resolve("warmup-" + i));
        }
        var measured = run(frames, signatures, dir.resolve("measured"));
        System.out.println("stage allocation per frame (the body of alloc-baseline.json for this build):\n"
                + measured.json());
        assertThat(measured.bytesPerFrame().get("validate")).as("validate is metered").isPositive();
        assertThat(baseline.regressions(measured))
                .as("stages above their baseline + 20 %% (alloc-baseline.json; change it only in a commit that "
                        + "says why); measured %s", measured.bytesPerFrame())
                .isEmpty();
    }

    static List<UpstreamFrame> corpus() throws Exception {
        var frames = new ArrayList<UpstreamFrame>();
        for (var file : List.of(new String[] {"pds0.frames", "localhost:2583"},
                new String[] {"pds1.frames", "localhost:2584"})) {
            for (byte[] frame : FrameFile.read(SharedFixtures.corpusDir().resolve(file[0]))) {
                var m = (SequencedMessage) FirehoseCodec.decode(frame);
                frames.add(new UpstreamFrame(file[1], m.type(), m.seq(), m.did(), frame, 0, System.nanoTime()));
            }
        }
        return frames;
    }

    /** One pass of the corpus through a fresh pipeline and event log; the stages' bytes per accepted frame. */
    private static AllocationBaseline.Measured run(List<UpstreamFrame> frames, CurveVerifiers signatures,
                                                   Path eventLogDir) throws Exception {
        var metrics = new MetricRegistry();
        var identities = new OfflineIdentities(OfflineDocuments.read(SharedFixtures.corpusDir().resolve("did-docs.json")));
        var storage = new InMemoryStorage();
        var state = new StoreChainState(storage.repoState(), storage.accounts());
        var settings = new Pipeline.Settings(new FrameWorkerPool.Config(4, 64,
                new ParkingLot.Limits(10_000, 64L << 20, 5_000, TimeUnit.SECONDS.toNanos(30))),
                ValidationConfig.strict().withSignatures(signatures));
        var logSettings = new EventLogService.Settings(eventLogDir, 1, 4096, 64L << 20,
                new Sequencer.Options(1024, 64, TimeUnit.MILLISECONDS.toNanos(1)),
                Duration.ofHours(72), Long.MAX_VALUE, Duration.ofHours(1), 8L << 20);
        try (var events = new EventLogService(logSettings, SeqStamp::withSeq, metrics, System::currentTimeMillis);
             var pipeline = Pipeline.create(settings, state, identities, identities,
                     Pipeline.toSequencer(events.sequencer(), state.settled()), metrics, Clock.systemUTC(), null)) {
            for (var f : frames) {
                pipeline.put(f);
            }
            await().atMost(Duration.ofSeconds(120)).until(() -> events.log().lastSeq() == frames.size()
                    && pipeline.pool().idle());
            long accepted = pipeline.counters().total("accepted");
            assertThat(accepted).as("every corpus frame verified and sequenced").isEqualTo(frames.size());
            Map<String, Long> perFrame = new LinkedHashMap<>();
            for (var s : METERED) {
                if (s != Stage.MST) { // mst's bytes are counted in validate, which encloses it (ValidatingProcessor)
                    assertThat(metrics.stage(s).unmeteredEvents()).as("%s events without a byte figure", s.label())
                            .isZero();
                }
                perFrame.put(s.label(), metrics.stage(s).allocatedBytes() / accepted);
            }
            return new AllocationBaseline.Measured(perFrame);
        }
    }
}
