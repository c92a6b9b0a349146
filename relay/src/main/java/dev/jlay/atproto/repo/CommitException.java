package dev.jlay.atproto.repo;

import dev.jlay.atproto.ProtocolException;

/** A commit block is malformed or not a version-3 commit. */
public final class CommitException extends ProtocolException {
    public CommitException(String message) {
        super(message);
    }
}
