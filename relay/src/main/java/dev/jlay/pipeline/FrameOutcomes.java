package dev.jlay.pipeline;

import dev.jlay.validate.Verdict;

/** Receives the final verdict of every frame (counters, tests, verify). */
@FunctionalInterface
public interface FrameOutcomes {
    void settled(InboundFrame frame, Verdict verdict);

    default FrameOutcomes and(FrameOutcomes other) {
        return (f, v) -> {
            settled(f, v);
            other.settled(f, v);
        };
    }
}
