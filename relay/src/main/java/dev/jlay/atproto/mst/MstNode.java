package dev.jlay.atproto.mst;

import dev.jlay.atproto.cid.Cid;

/**
 * One MST node. Immutable in meaning: a node is either a stub (only its CID is known; the
 * contents are filled in once, on first use, from a {@link BlockSource}) or built in memory
 * (its CID is computed once, on first use). Edits never change a node; they build new ones
 * that share every untouched subtree, so unchanged nodes are never re-encoded or re-hashed.
 *
 * <p>{@code children[i]} is the subtree left of {@code keys[i]} ({@code children[0]} is the
 * node's {@code l}, {@code children[i+1]} is entry i's {@code t}); null means no subtree.
 */
final class MstNode {
    int height;
    Cid cid;
    byte[][] keys;
    Cid[] values;
    MstNode[] children;
    /** Exclusive key bounds a stub's contents must respect (null = unbounded); dropped on load. */
    byte[] lo;
    byte[] hi;

    private MstNode() {}

    static MstNode stub(Cid cid, int height, byte[] lo, byte[] hi) {
        var n = new MstNode();
        n.cid = cid;
        n.height = height;
        n.lo = lo;
        n.hi = hi;
        return n;
    }

    static MstNode of(int height, byte[][] keys, Cid[] values, MstNode[] children) {
        var n = new MstNode();
        n.height = height;
        n.keys = keys;
        n.values = values;
        n.children = children;
        return n;
    }

    static MstNode empty() {
        return of(0, new byte[0][], new Cid[0], new MstNode[] {null});
    }

    boolean isLoaded() {
        return keys != null;
    }

    /** True for the empty tree's root ({@code {l: null, e: []}}). */
    boolean isEmpty() {
        return keys.length == 0 && children[0] == null;
    }

    void fill(int height, byte[][] keys, Cid[] values, MstNode[] children) {
        this.height = height;
        this.keys = keys;
        this.values = values;
        this.children = children;
        this.lo = null;
        this.hi = null;
    }
}
