package dev.jlay.upstream;

/**
 * Where a host's reader hands frames: the pipeline's worker queues, keyed by {@link UpstreamFrame#did()}.
 * Implementations must be thread-safe (one reader per host calls concurrently). Nothing here drops:
 * when the sink is full the reader blocks in {@link #put}, stops asking the socket for more, and the
 * host's TCP window closes.
 */
public interface FrameSink {
    /** Accepts the frame if there is room right now; never blocks. */
    boolean offer(UpstreamFrame frame);

    /** Accepts the frame, waiting for room as long as it takes. */
    void put(UpstreamFrame frame) throws InterruptedException;
}
