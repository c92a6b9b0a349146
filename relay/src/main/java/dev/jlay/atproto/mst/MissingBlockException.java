package dev.jlay.atproto.mst;

import dev.jlay.atproto.cid.Cid;

/** A node the operation needs is not among the available blocks (normal for a partial tree). */
public final class MissingBlockException extends MstException {
    private final Cid cid;

    public MissingBlockException(Cid cid) {
        super("missing MST node block " + cid);
        this.cid = cid;
    }

    public Cid cid() {
        return cid;
    }
}
