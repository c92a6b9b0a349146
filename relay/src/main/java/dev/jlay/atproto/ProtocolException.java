package dev.jlay.atproto;

/** Base of the typed errors thrown by the pure protocol code. */
public abstract class ProtocolException extends RuntimeException {
    protected ProtocolException(String message) {
        super(message);
    }

    protected ProtocolException(String message, Throwable cause) {
        super(message, cause);
    }
}
