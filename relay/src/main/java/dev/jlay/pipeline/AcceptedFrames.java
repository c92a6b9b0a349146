package dev.jlay.pipeline;

import dev.jlay.atproto.stream.SequencedMessage;
import dev.jlay.validate.Verdict;
import java.util.List;

/** Where accepted frames go: the sequencer in the relay, a list in tests and verify. */
@FunctionalInterface
public interface AcceptedFrames {
    /**
     * Called on the DID's worker, in the DID's order; may block (backpressure from the sequencer).
     * {@code emptiedCollections}: what validation proved of a #commit
     * ({@link dev.jlay.validate.Checked#emptiedCollections}), null when nothing was proven.
     */
    void accept(InboundFrame frame, SequencedMessage message, Verdict verdict, List<String> emptiedCollections);
}
