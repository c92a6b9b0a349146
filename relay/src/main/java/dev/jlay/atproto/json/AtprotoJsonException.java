package dev.jlay.atproto.json;

import dev.jlay.atproto.ProtocolException;

/** A JSON value is not valid atproto data-model JSON. */
public final class AtprotoJsonException extends ProtocolException {
    public AtprotoJsonException(String message) {
        super(message);
    }

    public AtprotoJsonException(String message, Throwable cause) {
        super(message, cause);
    }
}
