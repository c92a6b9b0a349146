package dev.jlay.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import dev.jlay.atproto.crypto.Curve;
import dev.jlay.atproto.crypto.Keypair;
import dev.jlay.atproto.repo.RepoWriter;
import dev.jlay.atproto.stream.FirehoseCodec;
import dev.jlay.atproto.stream.IdentityMessage;
import dev.jlay.atproto.syntax.TidClock;
import dev.jlay.pipeline.StageRecorder.PipelineStage;
import dev.jlay.testing.MapIdentities;
import dev.jlay.validate.DropReason;
import dev.jlay.validate.FrameValidator;
import dev.jlay.validate.InMemoryChainState;
import dev.jlay.validate.ValidationConfig;
import dev.jlay.validate.Verdict;
import java.net.URI;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.junit.jupiter.api.Test;

/**
 * The worker's stage windows are chained (one clock and one allocation-counter reading per
 * boundary): every window of a frame starts where the previous one ended, together they cover the
 * frame from the first reading to the last, and a frame dropped in a stage still records it.
 */
class StageWindowsTest {

    private static final String DID = "did:plc:abcdefghijklmnopqrstuvwx";
    private static final URI PDS = URI.create("https://pds.example.com");

    private final Keypair key = Keypair.generate(Curve.K256, new SecureRandom(new byte[] {5}));
    private final Keypair otherKey = Keypair.generate(Curve.K256, new SecureRandom(new byte[] {6}));
    private final HashMap<String, FrameValidator.Authority> cache = new HashMap<>();
    private final Recorder recorder = new Recorder();
    private final ValidatingProcessor processor;

    record Window(PipelineStage stage, long startNanos, long startAllocated, long endNanos, long endAllocated) {
    }

    /** Records every window; the allocation counter grows by a different amount at every read. */
    static final class Recorder implements StageRecorder {
        final List<Window> windows = new ArrayList<>();
        long reads;
        private long bytes;

        @Override
        public long allocatedNow() {
            reads++;
            bytes += 100 + reads; // distinct steps: a reused or skipped reading shows as a wrong sum
            return bytes;
        }

        @Override
        public void record(PipelineStage stage, long startNanos, long startAllocated, long endNanos, long endAllocated) {
            windows.add(new Window(stage, startNanos, startAllocated, endNanos, endAllocated));
        }

        List<PipelineStage> chainedStages() {
            return windows.stream().map(Window::stage).filter(s -> s != PipelineStage.MST).toList();
        }

        List<Window> chained() {
            return windows.stream().filter(w -> w.stage() != PipelineStage.MST).toList();
        }
    }

    StageWindowsTest() {
        var state = new InMemoryChainState(10);
        IdentityRefresher refresher = new IdentityRefresher() {
            @Override
            public CompletionStage<?> resolve(String did, boolean evict) {
                return CompletableFuture.failedFuture(new IllegalStateException("no directory here"));
            }
        };
        processor = new ValidatingProcessor(new FrameValidator(ValidationConfig.strict(), state, Clock.systemUTC()),
                state, new MapIdentities(cache), refresher, (f, m, v, emptied) -> {}, recorder);
    }

    private InboundFrame genesisSignedBy(Keypair k) {
        var repo = RepoWriter.create(DID, k, TidClock.system(1));
        var bytes = FirehoseCodec.encode(repo.genesis().toMessage(1, "2026-11-26T04:00:00Z"));
        return new InboundFrame(DID, "#commit", "pds.example.com", bytes);
    }

    /** Each window starts at the previous one's end readings; the windows sum to the frame's span. */
    private static void assertContiguous(List<Window> windows) {
        for (int i = 1; i < windows.size(); i++) {
            assertThat(windows.get(i).startNanos()).as("start nanos of %s", windows.get(i).stage())
                    .isEqualTo(windows.get(i - 1).endNanos());
            assertThat(windows.get(i).startAllocated()).as("start bytes of %s", windows.get(i).stage())
                    .isEqualTo(windows.get(i - 1).endAllocated());
        }
        long nanos = 0;
        long bytes = 0;
        for (var w : windows) {
            assertThat(w.endNanos()).isGreaterThanOrEqualTo(w.startNanos());
            assertThat(w.endAllocated()).isGreaterThan(w.startAllocated());
            nanos += w.endNanos() - w.startNanos();
            bytes += w.endAllocated() - w.startAllocated();
        }
        assertThat(nanos).isEqualTo(windows.getLast().endNanos() - windows.getFirst().startNanos());
        assertThat(bytes).isEqualTo(windows.getLast().endAllocated() - windows.getFirst().startAllocated());
    }

    @Test
    void anAcceptedFrameReadsEachBoundaryOnceAndItsWindowsCoverItWithoutGapOrOverlap() {
        cache.put(DID, new FrameValidator.Authority(key.publicKey(), PDS));
        assertThat(processor.process(genesisSignedBy(key))).isEqualTo(new Step.Done(Verdict.PASS));

        assertThat(recorder.chainedStages())
                .containsExactly(PipelineStage.DECODE, PipelineStage.IDENTITY, PipelineStage.VALIDATE);
        assertThat(recorder.reads).as("allocation counter reads: one per boundary").isEqualTo(4);
        var chained = recorder.chained();
        assertContiguous(chained);
        // the whole frame: the first reading of the counter to the last
        assertThat(chained.getFirst().startAllocated()).isEqualTo(101);
        assertThat(chained.getLast().endAllocated()).isEqualTo(101 + 102 + 103 + 104);
        // mst is timed inside validate and leaves the bytes to it
        var validate = chained.getLast();
        for (var mst : recorder.windows.stream().filter(w -> w.stage() == PipelineStage.MST).toList()) {
            assertThat(mst.startNanos()).isBetween(validate.startNanos(), validate.endNanos());
            assertThat(mst.endNanos()).isBetween(mst.startNanos(), validate.endNanos());
            assertThat(mst.startAllocated()).isEqualTo(-1);
            assertThat(mst.endAllocated()).isEqualTo(-1);
        }
    }

    @Test
    void theNextFrameStartsFromAFreshReadingNotTheLastFramesEnd() {
        cache.put(DID, new FrameValidator.Authority(key.publicKey(), PDS));
        processor.process(genesisSignedBy(key));
        var first = recorder.chained();
        var garbage = new InboundFrame(DID, "#commit", "pds.example.com", new byte[] {1, 2, 3});
        processor.process(garbage);
        var second = recorder.chained().subList(first.size(), recorder.chained().size());
        assertThat(second).hasSize(1);
        assertThat(second.getFirst().startAllocated()).isGreaterThan(first.getLast().endAllocated());
        assertThat(second.getFirst().startNanos()).isGreaterThanOrEqualTo(first.getLast().endNanos());
        assertThat(recorder.reads).isEqualTo(4 + 2);
    }

    @Test
    void aFrameDroppedInDecodeRecordsDecode() {
        var step = processor.process(new InboundFrame(DID, "#commit", "pds.example.com", new byte[] {1, 2, 3}));
        assertThat(((Verdict.Drop) ((Step.Done) step).verdict()).reason()).isEqualTo(DropReason.MALFORMED_FRAME);
        assertThat(recorder.chainedStages()).containsExactly(PipelineStage.DECODE);
        assertThat(recorder.reads).isEqualTo(2);
    }

    @Test
    void aFrameWithoutACachedIdentityRecordsDecodeAndIdentity() {
        assertThat(processor.process(genesisSignedBy(key))).isEqualTo(new Step.NeedIdentity(false));
        assertThat(recorder.chainedStages()).containsExactly(PipelineStage.DECODE, PipelineStage.IDENTITY);
        assertContiguous(recorder.chained());
        assertThat(recorder.reads).isEqualTo(3);
    }

    @Test
    void aFrameDroppedInValidateRecordsAllThreeStages() {
        cache.put(DID, new FrameValidator.Authority(key.publicKey(), PDS));
        var refreshed = genesisSignedBy(otherKey).refreshed(); // re-resolved already: dropped, not retried
        var step = processor.process(refreshed);
        assertThat(((Verdict.Drop) ((Step.Done) step).verdict()).reason()).isEqualTo(DropReason.BAD_SIGNATURE);
        assertThat(recorder.chainedStages())
                .containsExactly(PipelineStage.DECODE, PipelineStage.IDENTITY, PipelineStage.VALIDATE);
        assertContiguous(recorder.chained());
        assertThat(recorder.reads).isEqualTo(4);
    }

    @Test
    void anIdentityEventIsOnlyDecoded() {
        var bytes = FirehoseCodec.encode(new IdentityMessage(5, DID, "2026-11-26T04:00:00Z", "alice.example.com"));
        processor.process(new InboundFrame(DID, "#identity", "pds.example.com", bytes));
        assertThat(recorder.chainedStages()).containsExactly(PipelineStage.DECODE);
        assertThat(recorder.reads).isEqualTo(2);
    }
}
