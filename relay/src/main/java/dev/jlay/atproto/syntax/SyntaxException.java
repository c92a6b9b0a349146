package dev.jlay.atproto.syntax;

import dev.jlay.atproto.ProtocolException;

/** An identifier (DID, handle, NSID, TID, ...) does not have valid atproto syntax. */
public final class SyntaxException extends ProtocolException {
    public SyntaxException(String message) {
        super(message);
    }

    public SyntaxException(String message, Throwable cause) {
        super(message, cause);
    }

    /** Builds the message without echoing huge inputs back in full. */
    static SyntaxException invalid(String kind, String value) {
        String shown = value == null ? "null"
                : value.length() > 80 ? "\"" + value.substring(0, 80) + "...\" (" + value.length() + " chars)"
                : "\"" + value + "\"";
        return new SyntaxException("invalid " + kind + ": " + shown);
    }
}
