package dev.jlay.pipeline;

/**
 * The per-frame work of a worker: decode → identity → validate → repo state →
 * hand to the sequencer. Called by one worker thread at a time per DID, in the
 * DID's order. Must not block on the network: an identity it does not have is
 * asked for with {@link Step.NeedIdentity}.
 */
public interface FrameProcessor {
    Step process(InboundFrame frame);
}
