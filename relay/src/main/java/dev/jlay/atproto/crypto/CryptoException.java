package dev.jlay.atproto.crypto;

import dev.jlay.atproto.ProtocolException;

/** A key (multikey, did:key, DID-document key, private key) is malformed or of an unsupported type. */
public final class CryptoException extends ProtocolException {
    public CryptoException(String message) {
        super(message);
    }

    public CryptoException(String message, Throwable cause) {
        super(message, cause);
    }
}
