package dev.jlay.atproto;

/**
 * Base of every typed exception raised by the pure protocol layer (codecs, CIDs, CARs, frames,
 * syntax, signatures). Callers that handle untrusted input catch this one type: anything else
 * escaping the protocol layer is a bug.
 */
public abstract class ProtocolException extends RuntimeException {
    protected ProtocolException(String message) {
        super(message);
    }

    protected ProtocolException(String message, Throwable cause) {
        super(message, cause);
    }
}
