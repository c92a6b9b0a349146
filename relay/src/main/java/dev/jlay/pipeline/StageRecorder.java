package dev.jlay.pipeline;

/**
 * Per-stage meters of the worker path ({@code decode}, {@code identity},
 * {@code validate}, {@code mst}). The relay binds it to dev.jlay.memory's stage
 * meters; {@link #NONE} for verify's timing loop.
 *
 * <p>The caller reads both ends of a window ({@code System.nanoTime()} and {@link #allocatedNow()}
 * on the thread doing the work) so that consecutive windows share a reading: the end of
 * {@code decode} is the start of {@code identity}, and so on.
 */
public interface StageRecorder {

    enum PipelineStage { DECODE, IDENTITY, VALIDATE, MST }

    /** Thread-allocated bytes now, or -1 (virtual thread, unsupported, meters off). */
    long allocatedNow();

    /** One event's window in {@code stage}, from the start readings to the end readings. */
    void record(PipelineStage stage, long startNanos, long startAllocated, long endNanos, long endAllocated);

    StageRecorder NONE = new StageRecorder() {
        @Override
        public long allocatedNow() {
            return -1;
        }

        @Override
        public void record(PipelineStage stage, long startNanos, long startAllocated, long endNanos, long endAllocated) {}
    };
}
