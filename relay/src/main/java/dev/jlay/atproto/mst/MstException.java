package dev.jlay.atproto.mst;

import dev.jlay.atproto.ProtocolException;

/** A Merkle Search Tree node or operation is malformed, or the tree breaks an MST invariant. */
public class MstException extends ProtocolException {
    public MstException(String message) {
        super(message);
    }
}
