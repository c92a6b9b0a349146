package dev.jlay.atproto.cbor;

import dev.jlay.atproto.ProtocolException;

/** Bytes are not valid, canonical atproto DAG-CBOR, or a value cannot be encoded. */
public final class CborException extends ProtocolException {
    public CborException(String message) {
        super(message);
    }

    public CborException(String message, Throwable cause) {
        super(message, cause);
    }
}
