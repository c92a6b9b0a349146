package dev.jlay.atproto.mst;

import dev.jlay.atproto.cbor.DagCbor;
import dev.jlay.atproto.cid.Cid;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * MST node wire form: {@code {l: link|null, e: [{p, k, v, t}]}} with prefix-compressed keys.
 * Decoding is strict: exact field sets and types, maximal prefix compression, strictly
 * increasing keys inside the node's bounds, every key at the node's height, links to
 * dag-cbor blocks only, and the entry/height limits of {@link Mst}.
 */
final class NodeCodec {
    private NodeCodec() {}

    /** Canonical DAG-CBOR bytes of a node whose children all have CIDs. */
    static byte[] encode(MstNode n) {
        int count = n.keys.length;
        List<Object> entries = new ArrayList<>(count);
        byte[] prev = null;
        for (int i = 0; i < count; i++) {
            byte[] key = n.keys[i];
            int p = prev == null ? 0 : MstKey.commonPrefixLength(prev, key);
            Map<String, Object> e = new HashMap<>(8);
            e.put("p", (long) p);
            e.put("k", p == 0 ? key : Arrays.copyOfRange(key, p, key.length));
            e.put("v", n.values[i]);
            e.put("t", cidOrNull(n.children[i + 1]));
            entries.add(e);
            prev = key;
        }
        Map<String, Object> node = new HashMap<>(4);
        node.put("l", cidOrNull(n.children[0]));
        node.put("e", entries);
        return DagCbor.encode(node);
    }

    private static Cid cidOrNull(MstNode child) {
        if (child == null) {
            return null;
        }
        if (child.cid == null) {
            throw new IllegalStateException("child CID not computed before encoding");
        }
        return child.cid;
    }

    /**
     * Fills {@code stub} from its block. {@code stub.height} is the expected height, or -1 for a
     * root (whose height comes from its first key; an entry-less root must be the empty tree).
     */
    static void decodeInto(MstNode stub, byte[] block, MessageDigest sha256) {
        Object decoded;
        try {
            decoded = DagCbor.decode(block);
        } catch (dev.jlay.atproto.ProtocolException e) {
            throw new MstException("MST node is not valid DAG-CBOR: " + e.getMessage());
        }
        if (!(decoded instanceof Map<?, ?> node) || node.size() != 2
                || !node.containsKey("l") || !(node.get("e") instanceof List<?> entries)) {
            throw new MstException("MST node must be a map of exactly l and e");
        }
        boolean root = stub.height < 0;
        int count = entries.size();
        if (count > Mst.MAX_NODE_ENTRIES) {
            throw new MstException("MST node has " + count + " entries, limit " + Mst.MAX_NODE_ENTRIES);
        }
        byte[][] keys = new byte[count][];
        Cid[] values = new Cid[count];
        Cid[] links = new Cid[count + 1];
        links[0] = link(node.get("l"), "l");
        int height = stub.height;
        byte[] prev = null;
        for (int i = 0; i < count; i++) {
            if (!(entries.get(i) instanceof Map<?, ?> e) || e.size() != 4) {
                throw new MstException("MST entry must be a map of exactly p, k, v, t");
            }
            if (!(e.get("p") instanceof Long p) || !(e.get("k") instanceof byte[] suffix)
                    || !(e.get("v") instanceof Cid v) || !e.containsKey("t")) {
                throw new MstException("MST entry fields have wrong types");
            }
            byte[] key = expand(prev, p, suffix);
            if (key.length == 0 || key.length > Mst.MAX_KEY_BYTES) {
                throw new MstException("MST key length " + key.length + " out of range");
            }
            if (prev != null && MstKey.compare(prev, key) >= 0) {
                throw new MstException("MST keys not in strictly increasing order");
            }
            int h = MstKey.height(key, sha256);
            if (height < 0) {
                height = h;
            } else if (h != height) {
                throw new MstException("MST key at height " + h + " in a node at height " + height);
            }
            keys[i] = key;
            values[i] = v;
            links[i + 1] = link(e.get("t"), "t");
            prev = key;
        }
        if (count == 0) {
            if (root) {
                if (links[0] != null) {
                    throw new MstException("MST root has no entries but a left subtree (not trimmed)");
                }
                height = 0;
            } else if (links[0] == null) {
                throw new MstException("empty MST node below the root");
            }
        }
        if (height >= Mst.MAX_HEIGHT) {
            throw new MstException("MST height " + height + " over limit " + Mst.MAX_HEIGHT);
        }
        if (count > 0) {
            if (stub.lo != null && MstKey.compare(keys[0], stub.lo) <= 0) {
                throw new MstException("MST key below its subtree's lower bound");
            }
            if (stub.hi != null && MstKey.compare(keys[count - 1], stub.hi) >= 0) {
                throw new MstException("MST key above its subtree's upper bound");
            }
        }
        MstNode[] children = new MstNode[count + 1];
        for (int i = 0; i <= count; i++) {
            if (links[i] == null) {
                continue;
            }
            if (height == 0) {
                throw new MstException("MST node at height 0 links a subtree");
            }
            byte[] lo = i == 0 ? stub.lo : keys[i - 1];
            byte[] hi = i == count ? stub.hi : keys[i];
            children[i] = MstNode.stub(links[i], height - 1, lo, hi);
        }
        stub.fill(height, keys, values, children);
    }

    private static byte[] expand(byte[] prev, long p, byte[] suffix) {
        if (prev == null) {
            if (p != 0) {
                throw new MstException("first MST entry must have p = 0");
            }
            return suffix;
        }
        if (p < 0 || p > prev.length) {
            throw new MstException("MST prefix length out of range");
        }
        int shared = (int) p;
        // Prefix compression is canonical: p must be the whole shared prefix.
        if (shared < prev.length && suffix.length > 0 && suffix[0] == prev[shared]) {
            throw new MstException("MST prefix compression is not maximal");
        }
        byte[] key = new byte[shared + suffix.length];
        System.arraycopy(prev, 0, key, 0, shared);
        System.arraycopy(suffix, 0, key, shared, suffix.length);
        return key;
    }

    private static Cid link(Object value, String field) {
        if (value == null) {
            return null;
        }
        if (!(value instanceof Cid cid) || cid.codec() != Cid.CODEC_DAG_CBOR || cid.hashType() != Cid.HASH_SHA2_256) {
            throw new MstException("MST field " + field + " must be a dag-cbor link or null");
        }
        return cid;
    }
}
