package dev.jlay.pipeline;

import java.util.List;
import dev.jlay.atproto.stream.SequencedMessage;
import dev.jlay.eventlog.Durable;
import dev.jlay.eventlog.EventKind;
import dev.jlay.eventlog.Origin;
import dev.jlay.eventlog.Sequencer;
import dev.jlay.eventlog.Submission;
import dev.jlay.metrics.MetricRegistry;
import dev.jlay.upstream.FrameSink;
import dev.jlay.upstream.UpstreamFrame;
import dev.jlay.validate.ChainState;
import dev.jlay.validate.FrameValidator;
import dev.jlay.validate.ValidationConfig;
import dev.jlay.validate.Verdict;
import java.time.Clock;

/**
 * The frame pipeline as one component: the upstream readers' {@link FrameSink}
 * in front, the worker pool (decode → identity → validate → repo state) in the
 * middle, the sequencer behind. Build it with {@link #create}; close it before
 * the sequencer.
 */
public final class Pipeline implements FrameSink, AutoCloseable {

    public record Settings(FrameWorkerPool.Config pool, ValidationConfig validation) {
        public static Settings defaults() {
            return new Settings(FrameWorkerPool.Config.defaults(), ValidationConfig.strict());
        }
    }

    /** Where accepted frames go. The relay passes the sequencer ({@link #toSequencer}). */
    public interface Output {
        /**
         * Called on the worker. {@code emptiedCollections}: what validation proved of a #commit (see
         * {@link dev.jlay.validate.Checked#emptiedCollections}; null when not proven), so the
         * collection index need not read the CAR again.
         */
        void accept(InboundFrame frame, SequencedMessage message, Verdict verdict, List<String> emptiedCollections)
                throws InterruptedException;
    }

    /** How long close() waits for queued and parked frames (about one DID document fetch). */
    static final java.time.Duration DRAIN_TIMEOUT = java.time.Duration.ofSeconds(10);

    private final FrameWorkerPool pool;
    private final FrameCounters counters;

    private Pipeline(FrameWorkerPool pool, FrameCounters counters) {
        this.pool = pool;
        this.counters = counters;
    }

    /**
     * @param metrics null for none (tests)
     * @param outcomes extra listener for every verdict (tests), or null
     */
    public static Pipeline create(Settings settings, ChainState state, IdentityLookup identities,
                                  IdentityRefresher refresher, Output output, MetricRegistry metrics, Clock clock,
                                  FrameOutcomes outcomes) {
        var counters = new FrameCounters();
        if (metrics != null) counters.export(metrics);
        var stages = metrics == null ? StageRecorder.NONE : PipelineMetrics.stages(metrics);
        var validator = new FrameValidator(settings.validation(), state, clock);
        AcceptedFrames accepted = (f, m, v, emptied) -> {
            try {
                output.accept(f, m, v, emptied);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while handing a frame to the sequencer", e);
            }
        };
        var processor = new ValidatingProcessor(validator, state, identities, refresher, accepted, stages);
        var pool = new FrameWorkerPool(settings.pool(), processor, refresher,
                outcomes == null ? counters : counters.and(outcomes));
        if (metrics != null) PipelineMetrics.register(metrics, pool);
        return new Pipeline(pool, counters);
    }

    /** Accepted frames to the sequencer, waiting while its queue is full (backpressure to the workers). */
    public static Output toSequencer(Sequencer sequencer) {
        return (frame, message, verdict, emptied) -> sequencer.submit(
                new Submission(frame.bytes(), EventKind.ofType(message.type()), message.did(), 0, Durable.NONE,
                        frame.receivedNanos(), origin(frame)));
    }

    /** What happens to an accepted frame once the sequencer is done with it (on the sequencer thread). */
    public interface Settled {
        /** The frame's batch is synced. */
        void durable(InboundFrame frame, SequencedMessage message);

        /** The frame's batch failed to write: it got no seq and never will. */
        void failed(InboundFrame frame, SequencedMessage message);
    }

    /**
     * As {@link #toSequencer(Sequencer)}, and tells {@code settled} once each frame's batch is synced
     * or failed. A frame whose batch failed must not let its host's cursor pass it, so a restart
     * reads it again.
     */
    public static Output toSequencer(Sequencer sequencer, Settled settled) {
        return (frame, message, verdict, emptied) -> sequencer.submit(new Submission(frame.bytes(),
                EventKind.ofType(message.type()), message.did(), 0, new Durable() {
                    @Override
                    public void durable(long seq, byte[] stamped) {
                        settled.durable(frame, message);
                    }

                    @Override
                    public void failed(Throwable error) {
                        settled.failed(frame, message);
                    }
                }, frame.receivedNanos(), origin(frame)));
    }

    private static Origin origin(InboundFrame frame) {
        return frame.host() == null ? Origin.NONE : new Origin(frame.host(), frame.upstreamSeq());
    }

    @Override
    public boolean offer(UpstreamFrame frame) {
        return pool.offer(inbound(frame));
    }

    @Override
    public void put(UpstreamFrame frame) throws InterruptedException {
        if (!pool.submit(inbound(frame))) throw new IllegalStateException("pipeline closed");
    }

    private static InboundFrame inbound(UpstreamFrame f) {
        return new InboundFrame(f.did(), f.type(), f.host(), f.seq(), f.bytes(), f.receivedNanos(), false);
    }

    public FrameWorkerPool pool() {
        return pool;
    }

    public FrameCounters counters() {
        return counters;
    }

    @Override
    public void close() throws InterruptedException {
        // the host readers are closed by now: give parked frames the time of one DID fetch
        pool.awaitIdle(DRAIN_TIMEOUT);
        pool.close();
    }
}
