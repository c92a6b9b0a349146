package dev.jlay.eventlog;

/** A validated frame waiting for its seq. {@code did} may be null (non-account events). */
public record Submission(byte[] frame, EventKind kind, String did, int flags, Durable onDurable) {
}
