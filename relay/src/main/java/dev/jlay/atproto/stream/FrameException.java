package dev.jlay.atproto.stream;

import dev.jlay.atproto.ProtocolException;

/**
 * A firehose frame is malformed. {@link #reason()} is a short, low-cardinality machine string
 * (e.g. {@code invalid_cbor}, {@code missing_field}) usable as a metric label.
 */
public final class FrameException extends ProtocolException {
    private final String reason;

    public FrameException(String reason, String message) {
        super(reason + ": " + message);
        this.reason = reason;
    }

    public FrameException(String reason, String message, Throwable cause) {
        super(reason + ": " + message, cause);
        this.reason = reason;
    }

    public String reason() {
        return reason;
    }
}
