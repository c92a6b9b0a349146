package dev.jlay.atproto.car;

import dev.jlay.atproto.cid.Cid;
import java.util.List;
import java.util.Map;

/**
 * A parsed CARv1: its roots and its blocks by CID (first occurrence kept; blocks may be
 * unrelated to the roots). Every block's bytes were checked against its CID.
 */
public record Car(List<Cid> roots, Map<Cid, byte[]> blocks) {
    /** The block for a CID, or null. */
    public byte[] block(Cid cid) {
        return blocks.get(cid);
    }
}
