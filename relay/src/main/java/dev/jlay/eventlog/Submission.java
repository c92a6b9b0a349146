package dev.jlay.eventlog;

/**
 * A validated frame waiting for its seq. {@code did} may be null (non-account events).
 *
 * @param receivedNanos {@link System#nanoTime()} when its last byte arrived from the host, for the
 *                      receive-to-durable latency; 0 when unknown (not from a host)
 */
public record Submission(byte[] frame, EventKind kind, String did, int flags, Durable onDurable, long receivedNanos) {

    public Submission(byte[] frame, EventKind kind, String did, int flags, Durable onDurable) {
        this(frame, kind, did, flags, onDurable, 0);
    }
}
