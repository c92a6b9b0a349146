package dev.jlay.atproto.cid;

import dev.jlay.atproto.ProtocolException;

/** A CID or multibase string/byte form is malformed or unsupported. */
public final class CidException extends ProtocolException {
    public CidException(String message) {
        super(message);
    }
}
