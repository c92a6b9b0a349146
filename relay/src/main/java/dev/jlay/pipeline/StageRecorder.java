package dev.jlay.pipeline;

/**
 * Per-stage meters of the worker path ({@code decode}, {@code identity},
 * {@code validate}, {@code mst}). The relay binds it to dev.jlay.memory's stage
 * meters; {@link #NONE} for verify's timing loop.
 */
public interface StageRecorder {

    enum PipelineStage { DECODE, IDENTITY, VALIDATE, MST }

    /** Thread-allocated bytes now, or -1 (virtual thread, unsupported). */
    long allocatedNow();

    void record(PipelineStage stage, long startNanos, long startAllocated);

    StageRecorder NONE = new StageRecorder() {
        @Override
        public long allocatedNow() {
            return -1;
        }

        @Override
        public void record(PipelineStage stage, long startNanos, long startAllocated) {}
    };
}
