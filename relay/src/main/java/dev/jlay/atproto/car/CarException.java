package dev.jlay.atproto.car;

import dev.jlay.atproto.ProtocolException;

/** A CAR file is malformed, exceeds a limit, or holds a block that does not match its CID. */
public final class CarException extends ProtocolException {
    private final String reason;

    public CarException(String reason, String message) {
        super(reason + ": " + message);
        this.reason = reason;
    }

    public CarException(String reason, String message, Throwable cause) {
        super(reason + ": " + message, cause);
        this.reason = reason;
    }

    /** Short machine reason (e.g. {@code cid_mismatch}, {@code too_large}) usable as a metric label. */
    public String reason() {
        return reason;
    }
}
