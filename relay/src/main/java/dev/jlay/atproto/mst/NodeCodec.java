package dev.jlay.atproto.mst;

import dev.jlay.atproto.ProtocolException;
import dev.jlay.atproto.cbor.CborCursor;
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
    /**
     * The node's DAG-CBOR block, written straight into one array of its exact size: the node's
     * shape is fixed ({@code {e: [{k, p, t, v}...], l}}, keys already in DAG-CBOR's length-then-byte
     * order), so no map, list or key copy is built. The result is byte for byte what
     * {@link #encodeGeneric} (the general encoder) gives; MstNodeEncodingTest checks both agree.
     */
    static byte[] encode(MstNode n) {
        int count = n.keys.length;
        int size = 1 + 2 + cidOrNullSize(n.children[0]) + 2 + headSize(count);
        byte[] prev = null;
        for (int i = 0; i < count; i++) {
            byte[] key = n.keys[i];
            int p = prev == null ? 0 : MstKey.commonPrefixLength(prev, key);
            int suffix = key.length - p;
            size += 1 + 2 + headSize(suffix) + suffix + 2 + headSize(p) + 2 + cidOrNullSize(n.children[i + 1])
                    + 2 + cidSize(n.values[i]);
            prev = key;
        }
        byte[] out = new byte[size];
        int o = 0;
        out[o++] = (byte) 0xa2; // map(2)
        o = text1(out, o, 'e');
        o = head(out, o, 4, count);
        prev = null;
        for (int i = 0; i < count; i++) {
            byte[] key = n.keys[i];
            int p = prev == null ? 0 : MstKey.commonPrefixLength(prev, key);
            out[o++] = (byte) 0xa4; // map(4): k, p, t, v
            o = text1(out, o, 'k');
            o = head(out, o, 2, key.length - p);
            System.arraycopy(key, p, out, o, key.length - p);
            o += key.length - p;
            o = text1(out, o, 'p');
            o = head(out, o, 0, p);
            o = text1(out, o, 't');
            o = cidOrNull(out, o, n.children[i + 1]);
            o = text1(out, o, 'v');
            o = cid(out, o, n.values[i]);
            prev = key;
        }
        o = text1(out, o, 'l');
        o = cidOrNull(out, o, n.children[0]);
        if (o != size) throw new IllegalStateException("MST node encoding: wrote " + o + " of " + size);
        return out;
    }

    /** The general DAG-CBOR encoder's block for the node: the reference {@link #encode} must match. */
    static byte[] encodeGeneric(MstNode n) {
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

    private static int headSize(long v) {
        return v < 24 ? 1 : v < 0x100 ? 2 : v < 0x10000 ? 3 : v < 0x100000000L ? 5 : 9;
    }

    /** A CBOR head of major type {@code major} and argument {@code v}, shortest form (DAG-CBOR). */
    private static int head(byte[] out, int o, int major, long v) {
        int m = major << 5;
        if (v < 24) {
            out[o++] = (byte) (m | v);
        } else if (v < 0x100) {
            out[o++] = (byte) (m | 24);
            out[o++] = (byte) v;
        } else if (v < 0x10000) {
            out[o++] = (byte) (m | 25);
            out[o++] = (byte) (v >>> 8);
            out[o++] = (byte) v;
        } else if (v < 0x100000000L) {
            out[o++] = (byte) (m | 26);
            for (int s = 24; s >= 0; s -= 8) out[o++] = (byte) (v >>> s);
        } else {
            out[o++] = (byte) (m | 27);
            for (int s = 56; s >= 0; s -= 8) out[o++] = (byte) (v >>> s);
        }
        return o;
    }

    /** A one-character text key. */
    private static int text1(byte[] out, int o, char c) {
        out[o++] = 0x61;
        out[o++] = (byte) c;
        return o;
    }

    /** tag 42, then the CID's bytes behind a 0x00 prefix as a byte string. */
    private static int cidSize(Cid c) {
        int len = c.byteLength() + 1;
        return 2 + headSize(len) + len;
    }

    private static int cid(byte[] out, int o, Cid c) {
        out[o++] = (byte) 0xd8;
        out[o++] = 42;
        o = head(out, o, 2, c.byteLength() + 1);
        out[o++] = 0;
        return o + c.writeTo(out, o);
    }

    private static int cidOrNullSize(MstNode child) {
        return child == null ? 1 : cidSize(cidOrNull(child));
    }

    private static int cidOrNull(byte[] out, int o, MstNode child) {
        if (child == null) {
            out[o++] = (byte) 0xf6; // null
            return o;
        }
        return cid(out, o, cidOrNull(child));
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
     *
     * <p>Read straight from the bytes with a {@link CborCursor}: the node's shape is fixed, and
     * canonical DAG-CBOR leaves it exactly one encoding ({@code {e: [{k, p, t, v}...], l}} in that
     * key order, shortest heads, {@code null} as 0xf6, links as {@code d8 2a} + bytes), so the
     * cursor requires that encoding item by item and builds no map, list or suffix copy. It
     * accepts exactly what {@link #decodeGenericInto} (the general DAG-CBOR decoder, then the
     * maps' fields) accepts; MstNodeDecodingTest checks both on the fuzz inputs and mutations.
     */
    static void decodeInto(MstNode stub, byte[] block, MessageDigest sha256) {
        try {
            var c = new CborCursor(block, 0, block.length);
            if (c.readMapHeader() != 2 || !c.readTextEquals("e")) {
                throw new MstException("MST node must be a map of exactly l and e");
            }
            long n = c.readHead(CborCursor.MAJOR_ARRAY);
            if (n < 0 || n > Mst.MAX_NODE_ENTRIES) {
                throw new MstException("MST node has " + (n < 0 ? "2^63+" : n) + " entries, limit " + Mst.MAX_NODE_ENTRIES);
            }
            int count = (int) n;
            byte[][] keys = new byte[count][];
            Cid[] values = new Cid[count];
            Cid[] links = new Cid[count + 1];
            int height = stub.height;
            byte[] prev = null;
            byte[] digest = count > 0 ? new byte[32] : null; // one SHA-256 output buffer for the node's key heights
            for (int i = 0; i < count; i++) {
                if (c.peekMajor() != CborCursor.MAJOR_MAP || c.readMapHeader() != 4 || !c.readTextEquals("k")) {
                    throw new MstException("MST entry must be a map of exactly p, k, v, t");
                }
                int suffixLen = c.skipByteString();
                int suffixOff = c.position() - suffixLen;
                if (!c.readTextEquals("p")) {
                    throw new MstException("MST entry must be a map of exactly p, k, v, t");
                }
                if (c.peekMajor() != CborCursor.MAJOR_UNSIGNED) {
                    throw new MstException("MST entry fields have wrong types");
                }
                long p = c.readHead(CborCursor.MAJOR_UNSIGNED);
                if (p < 0) {
                    throw new MstException("MST prefix length out of range");
                }
                if (!c.readTextEquals("t")) {
                    throw new MstException("MST entry must be a map of exactly p, k, v, t");
                }
                Cid t = c.readNull() ? null : dagCborLink(c.readLink(), "t");
                if (!c.readTextEquals("v")) {
                    throw new MstException("MST entry must be a map of exactly p, k, v, t");
                }
                values[i] = c.readLink();
                links[i + 1] = t;
                byte[] key = expand(prev, p, block, suffixOff, suffixLen);
                height = checkKey(prev, key, height, sha256, digest);
                keys[i] = key;
                prev = key;
            }
            if (!c.readTextEquals("l")) {
                throw new MstException("MST node must be a map of exactly l and e");
            }
            links[0] = c.readNull() ? null : dagCborLink(c.readLink(), "l");
            if (!c.atEnd()) {
                throw new MstException("MST node is not valid DAG-CBOR: trailing bytes after DAG-CBOR object");
            }
            finish(stub, height, keys, values, links);
        } catch (MstException e) {
            throw e;
        } catch (ProtocolException e) {
            throw new MstException("MST node is not valid DAG-CBOR: " + e.getMessage());
        }
    }

    /**
     * The reference decoder: the general DAG-CBOR decoder (maps and lists), then the node's
     * fields. {@link #decodeInto} must accept exactly what this accepts and fill the same node.
     */
    static void decodeGenericInto(MstNode stub, byte[] block, MessageDigest sha256) {
        Object decoded;
        try {
            decoded = DagCbor.decode(block);
        } catch (ProtocolException e) {
            throw new MstException("MST node is not valid DAG-CBOR: " + e.getMessage());
        }
        if (!(decoded instanceof Map<?, ?> node) || node.size() != 2
                || !node.containsKey("l") || !(node.get("e") instanceof List<?> entries)) {
            throw new MstException("MST node must be a map of exactly l and e");
        }
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
            if (p < 0) {
                throw new MstException("MST prefix length out of range");
            }
            byte[] key = expand(prev, p, suffix, 0, suffix.length);
            height = checkKey(prev, key, height, sha256, new byte[32]);
            keys[i] = key;
            values[i] = v;
            links[i + 1] = link(e.get("t"), "t");
            prev = key;
        }
        finish(stub, height, keys, values, links);
    }

    /** Checks an expanded key against the previous one and the node's height; returns the height. */
    private static int checkKey(byte[] prev, byte[] key, int height, MessageDigest sha256, byte[] digest) {
        if (key.length == 0 || key.length > Mst.MAX_KEY_BYTES) {
            throw new MstException("MST key length " + key.length + " out of range");
        }
        if (prev != null && MstKey.compare(prev, key) >= 0) {
            throw new MstException("MST keys not in strictly increasing order");
        }
        int h = MstKey.height(key, sha256, digest);
        if (height >= 0 && h != height) {
            throw new MstException("MST key at height " + h + " in a node at height " + height);
        }
        return h;
    }

    /** The node-level rules once every entry is read, then the stub is filled and its children made. */
    private static void finish(MstNode stub, int height, byte[][] keys, Cid[] values, Cid[] links) {
        boolean root = stub.height < 0;
        int count = keys.length;
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

    /** The full key from the previous key's first {@code p} bytes and the suffix {@code src[off, off+len)}. */
    private static byte[] expand(byte[] prev, long p, byte[] src, int off, int len) {
        if (prev == null) {
            if (p != 0) {
                throw new MstException("first MST entry must have p = 0");
            }
            return Arrays.copyOfRange(src, off, off + len);
        }
        if (p > prev.length) {
            throw new MstException("MST prefix length out of range");
        }
        int shared = (int) p;
        // Prefix compression is canonical: p must be the whole shared prefix.
        if (shared < prev.length && len > 0 && src[off] == prev[shared]) {
            throw new MstException("MST prefix compression is not maximal");
        }
        byte[] key = new byte[shared + len];
        System.arraycopy(prev, 0, key, 0, shared);
        System.arraycopy(src, off, key, shared, len);
        return key;
    }

    private static Cid link(Object value, String field) {
        if (value == null) {
            return null;
        }
        if (!(value instanceof Cid cid)) {
            throw new MstException("MST field " + field + " must be a dag-cbor link or null");
        }
        return dagCborLink(cid, field);
    }

    /** Subtree links point at dag-cbor blocks hashed with sha2-256. */
    private static Cid dagCborLink(Cid cid, String field) {
        if (cid.codec() != Cid.CODEC_DAG_CBOR || cid.hashType() != Cid.HASH_SHA2_256) {
            throw new MstException("MST field " + field + " must be a dag-cbor link or null");
        }
        return cid;
    }
}
