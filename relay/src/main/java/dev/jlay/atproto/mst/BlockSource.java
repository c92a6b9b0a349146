package dev.jlay.atproto.mst;

import dev.jlay.atproto.cid.Cid;
import java.util.Map;

/** Where tree nodes are loaded from: the blocks of a CAR, a store, or nothing. */
@FunctionalInterface
public interface BlockSource {
    /** The block bytes for {@code cid}, or null when it is not available. */
    byte[] get(Cid cid);

    static BlockSource of(Map<Cid, byte[]> blocks) {
        return blocks::get;
    }

    static BlockSource empty() {
        return cid -> null;
    }
}
