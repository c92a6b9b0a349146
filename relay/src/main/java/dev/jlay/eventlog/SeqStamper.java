package dev.jlay.eventlog;

/**
 * Writes the relay's seq into a frame, returning the frame as sent downstream.
 * Production uses the protocol core's {@code SeqStamp.withSeq}; tests may use
 * their own frame format.
 */
@FunctionalInterface
public interface SeqStamper {
    byte[] withSeq(byte[] frame, long seq);
}
