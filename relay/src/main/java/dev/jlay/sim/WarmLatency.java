package dev.jlay.sim;

/**
 * Latency of a soak run twice over: every frame ({@link #wholeRun()}), and only the frames after
 * the first {@code warmupFrames} ({@link #afterWarmup()}), so a cold start (JIT, every DID's first
 * frames parked until the PLC answers) does not decide the steady-state percentiles.
 */
public final class WarmLatency {
    private volatile long warmupFrames;
    private final LatencyHistogram whole = new LatencyHistogram();
    private final LatencyHistogram warm = new LatencyHistogram();

    public WarmLatency(long warmupFrames) {
        this.warmupFrames = Math.max(0, warmupFrames);
    }

    /** Records the latency of the consumer's {@code frameIndex}-th frame (1-based). */
    public void record(long frameIndex, long micros) {
        whole.record(micros);
        if (frameIndex > warmupFrames) warm.record(micros);
    }

    /** Moves the mark: only frames past the consumer's {@code frames}-th count as warm from now on. */
    public void warmAfter(long frames) {
        this.warmupFrames = Math.max(0, frames);
    }

    public LatencyHistogram wholeRun() {
        return whole;
    }

    public LatencyHistogram afterWarmup() {
        return warm;
    }

    public long warmupFrames() {
        return warmupFrames;
    }
}
