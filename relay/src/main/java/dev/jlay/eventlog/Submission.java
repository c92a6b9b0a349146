package dev.jlay.eventlog;

/**
 * A validated frame waiting for its seq. {@code did} may be null (non-account events).
 *
 * @param receivedNanos {@link System#nanoTime()} when its last byte arrived from the host, for the
 *                      receive-to-durable latency; 0 when unknown (not from a host)
 * @param origin        the host and its seq, kept in the log for crash recovery
 */
public record Submission(byte[] frame, EventKind kind, String did, int flags, Durable onDurable, long receivedNanos,
                         Origin origin) {

    public Submission {
        if (origin == null) origin = Origin.NONE;
    }

    public Submission(byte[] frame, EventKind kind, String did, int flags, Durable onDurable, long receivedNanos) {
        this(frame, kind, did, flags, onDurable, receivedNanos, Origin.NONE);
    }

    public Submission(byte[] frame, EventKind kind, String did, int flags, Durable onDurable) {
        this(frame, kind, did, flags, onDurable, 0, Origin.NONE);
    }
}
