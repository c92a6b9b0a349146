package dev.jlay.pipeline;

import dev.jlay.memory.BoundedBuffer;
import dev.jlay.metrics.MetricRegistry;
import dev.jlay.memory.Stage;
import dev.jlay.memory.StageMeter;

/**
 * Binds the pipeline to the relay's metric registry: the worker stages
 * ({@code decode}, {@code identity}, {@code validate}, {@code mst}) and the
 * two bounded buffers the pool owns ({@code worker_queues}, {@code parking_lot}).
 */
public final class PipelineMetrics {
    private PipelineMetrics() {}

    public static StageRecorder stages(MetricRegistry metrics) {
        StageMeter[] meters = new StageMeter[StageRecorder.PipelineStage.values().length];
        for (var s : StageRecorder.PipelineStage.values()) {
            meters[s.ordinal()] = metrics.stage(switch (s) {
                case DECODE -> Stage.DECODE;
                case IDENTITY -> Stage.IDENTITY;
                case VALIDATE -> Stage.VALIDATE;
                case MST -> Stage.MST;
            });
        }
        return new StageRecorder() {
            @Override
            public long allocatedNow() {
                return meters[0].allocatedNow(); // every stage meter is on or off together
            }

            @Override
            public void record(PipelineStage stage, long startNanos, long startAllocated, long endNanos,
                               long endAllocated) {
                meters[stage.ordinal()].record(1, startNanos, startAllocated, endNanos, endAllocated);
            }
        };
    }

    public static void register(MetricRegistry metrics, FrameWorkerPool pool) {
        metrics.register(BoundedBuffer.of("worker_queues",
                pool::queuedFrames, pool::queueCapacity, pool::queuedBytes, pool::queueByteCapacity));
        metrics.register(BoundedBuffer.of("parking_lot",
                () -> pool.parking().frames(), () -> pool.parkingLimits().maxFrames(), () -> pool.parking().bytes(),
                () -> pool.parkingLimits().maxBytes()));
    }
}
