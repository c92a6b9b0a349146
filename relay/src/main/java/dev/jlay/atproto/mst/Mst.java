package dev.jlay.atproto.mst;

import dev.jlay.atproto.cbor.DagCbor;
import dev.jlay.atproto.cid.Cid;
import dev.jlay.atproto.cid.Sha256;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BiConsumer;

/**
 * A Merkle Search Tree (atproto repository, fanout 4) over byte-string keys and CID values.
 *
 * <p>The tree may be partial: {@link #load} starts from a root CID and reads nodes from a
 * {@link BlockSource} only when an operation walks into them; a node that is needed but not
 * available raises {@link MissingBlockException}. Nodes are immutable and shared, so
 * {@link #copy()} is O(1) and an edit re-encodes and re-hashes only the nodes on the edited
 * paths. The structure depends only on the key/value set, never on the order of edits.
 *
 * <p>Not thread-safe: one tree (and its copies) belongs to one thread at a time.
 */
public final class Mst {
    /** Entries allowed in one node (defence against key mining; real nodes hold a handful). */
    public static final int MAX_NODE_ENTRIES = 512;
    /** Key heights allowed (0 .. MAX_HEIGHT-1); height 32 needs 64 leading zero bits. */
    public static final int MAX_HEIGHT = 32;
    /** Longest key (a repo path is at most 317 + 1 + 512 bytes). */
    public static final int MAX_KEY_BYTES = 1024;

    private static final byte[] EMPTY_NODE_BLOCK = encodeEmpty();
    /** CID of the empty tree ({@code {l: null, e: []}}). */
    public static final Cid EMPTY_ROOT = Cid.ofDagCbor(EMPTY_NODE_BLOCK);

    private final BlockSource source;
    private final MessageDigest sha256;
    private MstNode root;

    private Mst(MstNode root, BlockSource source, MessageDigest sha256) {
        this.root = root;
        this.source = source;
        this.sha256 = sha256;
    }

    public static Mst empty() {
        return new Mst(MstNode.empty(), BlockSource.empty(), Sha256.newDigest());
    }

    /** A tree rooted at {@code root} whose nodes are read from {@code source} on demand. */
    public static Mst load(Cid root, BlockSource source) {
        return new Mst(MstNode.stub(root, -1, null, null), source, Sha256.newDigest());
    }

    /** The tree holding exactly these entries. */
    public static Mst of(Map<byte[], Cid> entries) {
        var t = empty();
        entries.forEach(t::put);
        return t;
    }

    /** An independent tree sharing this one's nodes; edits to either do not affect the other. */
    public Mst copy() {
        return new Mst(root, source, Sha256.newDigest());
    }

    // ---- reading -------------------------------------------------------------------------

    public Cid get(String key) {
        return get(MstKey.bytes(key));
    }

    /** The value stored under {@code key}, or null when absent. */
    public Cid get(byte[] key) {
        MstNode n = load(root);
        while (n != null) {
            int i = search(n.keys, key);
            if (i >= 0) {
                return n.values[i];
            }
            MstNode child = n.children[-i - 1];
            n = child == null ? null : load(child);
        }
        return null;
    }

    /**
     * The keys next to {@code key} in the whole tree. {@code before}/{@code after} are null at an
     * end of the tree; {@code present} says the key itself is in it (then the neighbours are not
     * looked for). Walks {@code key}'s own lookup path only: every key between the tightest bounds
     * met on the way lies in the subtree the path ends at, and that subtree is empty, so the
     * bounds are the neighbours. A proof of the key's presence or absence is therefore enough.
     *
     * @throws MissingBlockException when a node on that path is not available
     */
    public Neighbors neighbors(byte[] key) {
        byte[] before = null;
        byte[] after = null;
        MstNode n = load(root);
        while (true) {
            int i = search(n.keys, key);
            if (i >= 0) {
                return new Neighbors(true, null, null);
            }
            int gap = -i - 1;
            if (gap > 0) {
                before = n.keys[gap - 1];
            }
            if (gap < n.keys.length) {
                after = n.keys[gap];
            }
            MstNode child = n.children[gap];
            if (child == null) {
                return new Neighbors(false, before, after);
            }
            n = load(child);
        }
    }

    /** What {@link #neighbors} found. */
    public record Neighbors(boolean present, byte[] before, byte[] after) {
    }

    /** CID of the root node, hashing only nodes built since they were last hashed. */
    public Cid rootCid() {
        return cidOf(root, null);
    }

    /**
     * Hashes every node built since the last hash and hands each such (CID, block) to
     * {@code sink}: the nodes that are new in this version of the tree. Returns the root CID.
     */
    public Cid writeNewBlocks(BiConsumer<Cid, byte[]> sink) {
        return cidOf(root, sink);
    }

    /** Every node block of the tree (loads the whole tree). */
    public Map<Cid, byte[]> allBlocks() {
        cidOf(root, null);
        Map<Cid, byte[]> out = new LinkedHashMap<>();
        collect(load(root), out);
        return out;
    }

    private void collect(MstNode n, Map<Cid, byte[]> out) {
        out.put(n.cid, blockOf(n));
        for (MstNode c : n.children) {
            if (c != null) {
                collect(load(c), out);
            }
        }
    }

    /** All entries in key order (loads the whole tree). */
    public void forEach(BiConsumer<byte[], Cid> action) {
        walk(load(root), action);
    }

    private void walk(MstNode n, BiConsumer<byte[], Cid> action) {
        for (int i = 0; i <= n.keys.length; i++) {
            MstNode c = n.children[i];
            if (c != null) {
                walk(load(c), action);
            }
            if (i < n.keys.length) {
                action.accept(n.keys[i], n.values[i]);
            }
        }
    }

    // ---- proofs --------------------------------------------------------------------------

    /**
     * The nodes from the root down to the node holding {@code key}, or down to where the
     * key would be (a proof of presence or of absence), in root-first order.
     */
    public Map<Cid, byte[]> proof(byte[] key) {
        cidOf(root, null);
        Map<Cid, byte[]> out = new LinkedHashMap<>();
        addPath(key, out);
        return out;
    }

    /**
     * The covering proof of {@code key}: its own path plus the paths to its nearest
     * neighbours. This is what a commit diff must carry so that a reader holding only these
     * blocks can insert or remove {@code key} and recompute the root.
     */
    public Map<Cid, byte[]> coveringProof(byte[] key) {
        Map<Cid, byte[]> out = new LinkedHashMap<>();
        addCoveringProof(key, out);
        return out;
    }

    /** Adds the covering proof of {@code key} (see {@link #coveringProof}) to {@code out}. */
    public void addCoveringProof(byte[] key, Map<Cid, byte[]> out) {
        cidOf(root, null);
        addPath(key, out);
        byte[] below = maxBelow(load(root), key);
        if (below != null) {
            addPath(below, out);
        }
        byte[] above = minAbove(load(root), key);
        if (above != null) {
            addPath(above, out);
        }
    }

    private void addPath(byte[] key, Map<Cid, byte[]> out) {
        MstNode n = load(root);
        while (n != null) {
            if (!out.containsKey(n.cid)) {
                out.put(n.cid, blockOf(n));
            }
            int i = search(n.keys, key);
            if (i >= 0) {
                return;
            }
            MstNode child = n.children[-i - 1];
            n = child == null ? null : load(child);
        }
    }

    private byte[] maxBelow(MstNode n, byte[] key) {
        int i = search(n.keys, key);
        int gap = i >= 0 ? i : -i - 1;
        MstNode child = n.children[gap];
        if (child != null) {
            byte[] r = maxBelow(load(child), key);
            if (r != null) {
                return r;
            }
        }
        return gap > 0 ? n.keys[gap - 1] : null;
    }

    private byte[] minAbove(MstNode n, byte[] key) {
        int i = search(n.keys, key);
        int gap = i >= 0 ? i + 1 : -i - 1;
        MstNode child = n.children[gap];
        if (child != null) {
            byte[] r = minAbove(load(child), key);
            if (r != null) {
                return r;
            }
        }
        return gap < n.keys.length ? n.keys[gap] : null;
    }

    private byte[] blockOf(MstNode n) {
        byte[] b = n.cid != null ? source.get(n.cid) : null;
        return b != null ? b : NodeCodec.encode(n);
    }

    // ---- editing -------------------------------------------------------------------------

    public void put(String key, Cid value) {
        put(MstKey.bytes(key), value);
    }

    /** Inserts {@code key} or replaces its value. */
    public void put(byte[] key, Cid value) {
        if (value == null) {
            throw new IllegalArgumentException("MST value must not be null");
        }
        int kh = checkedHeight(key);
        MstNode r = load(root);
        if (r.isEmpty()) {
            root = chain(kh, key, value);
            return;
        }
        int h = r.height;
        while (h < kh) {
            r = MstNode.of(++h, new byte[0][], new Cid[0], new MstNode[] {r});
        }
        root = insert(r, key, kh, value);
    }

    public boolean delete(String key) {
        return delete(MstKey.bytes(key));
    }

    /** Removes {@code key}; returns false (and changes nothing) when it is absent. */
    public boolean delete(byte[] key) {
        int kh = checkedHeight(key);
        MstNode r = load(root);
        if (r.isEmpty() || kh > r.height) {
            return false;
        }
        MstNode out = remove(r, key);
        if (out == r) {
            return false;
        }
        // Empty nodes are trimmed off the top; the empty tree is one entry-less node.
        while (out != null && out.keys.length == 0) {
            out = out.children[0] == null ? null : load(out.children[0]);
        }
        root = out == null ? MstNode.empty() : out;
        return true;
    }

    private int checkedHeight(byte[] key) {
        if (key.length == 0 || key.length > MAX_KEY_BYTES) {
            throw new MstException("MST key length " + key.length + " out of range");
        }
        int kh = MstKey.height(key, sha256);
        if (kh >= MAX_HEIGHT) {
            throw new MstException("MST key height " + kh + " over limit " + MAX_HEIGHT);
        }
        return kh;
    }

    /** A path of nodes from height h down to the key's own height, holding only that key. */
    private static MstNode chain(int h, byte[] key, int kh, Cid value) {
        if (h == kh) {
            return MstNode.of(h, new byte[][] {key}, new Cid[] {value}, new MstNode[2]);
        }
        return MstNode.of(h, new byte[0][], new Cid[0], new MstNode[] {chain(h - 1, key, kh, value)});
    }

    private MstNode chain(int kh, byte[] key, Cid value) {
        return chain(kh, key, kh, value);
    }

    private MstNode insert(MstNode n, byte[] key, int kh, Cid value) {
        int i = search(n.keys, key);
        if (kh == n.height) {
            if (i >= 0) {
                if (n.values[i].equals(value)) {
                    return n;
                }
                Cid[] values = n.values.clone();
                values[i] = value;
                return MstNode.of(n.height, n.keys, values, n.children);
            }
            int at = -i - 1;
            MstNode[] halves = split(n.children[at], key);
            int count = n.keys.length;
            byte[][] keys = new byte[count + 1][];
            Cid[] values = new Cid[count + 1];
            MstNode[] children = new MstNode[count + 2];
            System.arraycopy(n.keys, 0, keys, 0, at);
            System.arraycopy(n.values, 0, values, 0, at);
            System.arraycopy(n.children, 0, children, 0, at);
            keys[at] = key;
            values[at] = value;
            children[at] = halves[0];
            children[at + 1] = halves[1];
            System.arraycopy(n.keys, at, keys, at + 1, count - at);
            System.arraycopy(n.values, at, values, at + 1, count - at);
            System.arraycopy(n.children, at + 1, children, at + 2, count - at);
            return MstNode.of(n.height, keys, values, children);
        }
        if (i >= 0) {
            throw new MstException("MST key found at the wrong height");
        }
        int gap = -i - 1;
        MstNode child = n.children[gap];
        MstNode updated = child == null ? chain(n.height - 1, key, kh, value) : insert(load(child), key, kh, value);
        if (updated == child) {
            return n;
        }
        return withChild(n, gap, updated);
    }

    /** Splits a subtree around {@code key} (which it must not hold) into the parts below and above. */
    private MstNode[] split(MstNode sub, byte[] key) {
        if (sub == null) {
            return new MstNode[2];
        }
        MstNode n = load(sub);
        int i = search(n.keys, key);
        if (i >= 0) {
            throw new MstException("MST key found at the wrong height");
        }
        int at = -i - 1;
        MstNode[] inner = split(n.children[at], key);
        int count = n.keys.length;
        MstNode left = node(n.height,
                Arrays.copyOfRange(n.keys, 0, at),
                Arrays.copyOfRange(n.values, 0, at),
                concat(Arrays.copyOfRange(n.children, 0, at), inner[0]));
        MstNode[] rightChildren = new MstNode[count - at + 1];
        rightChildren[0] = inner[1];
        System.arraycopy(n.children, at + 1, rightChildren, 1, count - at);
        MstNode right = node(n.height,
                Arrays.copyOfRange(n.keys, at, count),
                Arrays.copyOfRange(n.values, at, count),
                rightChildren);
        return new MstNode[] {left, right};
    }

    private MstNode remove(MstNode n, byte[] key) {
        int i = search(n.keys, key);
        if (i >= 0) {
            MstNode merged = merge(n.children[i], n.children[i + 1]);
            int count = n.keys.length;
            byte[][] keys = new byte[count - 1][];
            Cid[] values = new Cid[count - 1];
            MstNode[] children = new MstNode[count];
            System.arraycopy(n.keys, 0, keys, 0, i);
            System.arraycopy(n.values, 0, values, 0, i);
            System.arraycopy(n.children, 0, children, 0, i);
            children[i] = merged;
            System.arraycopy(n.keys, i + 1, keys, i, count - i - 1);
            System.arraycopy(n.values, i + 1, values, i, count - i - 1);
            System.arraycopy(n.children, i + 2, children, i + 1, count - i - 1);
            return node(n.height, keys, values, children);
        }
        int gap = -i - 1;
        MstNode child = n.children[gap];
        if (child == null) {
            return n;
        }
        MstNode loaded = load(child);
        MstNode updated = remove(loaded, key);
        if (updated == loaded) {
            return n;
        }
        var copy = withChild(n, gap, updated);
        return copy.keys.length == 0 && copy.children[0] == null ? null : copy;
    }

    /** Joins two adjacent subtrees of the same height (all keys of a below all keys of b). */
    private MstNode merge(MstNode a, MstNode b) {
        if (a == null) {
            return b;
        }
        if (b == null) {
            return a;
        }
        MstNode x = load(a);
        MstNode y = load(b);
        int nx = x.keys.length;
        int ny = y.keys.length;
        MstNode middle = merge(x.children[nx], y.children[0]);
        byte[][] keys = new byte[nx + ny][];
        Cid[] values = new Cid[nx + ny];
        MstNode[] children = new MstNode[nx + ny + 1];
        System.arraycopy(x.keys, 0, keys, 0, nx);
        System.arraycopy(y.keys, 0, keys, nx, ny);
        System.arraycopy(x.values, 0, values, 0, nx);
        System.arraycopy(y.values, 0, values, nx, ny);
        System.arraycopy(x.children, 0, children, 0, nx);
        children[nx] = middle;
        System.arraycopy(y.children, 1, children, nx + 1, ny);
        return MstNode.of(x.height, keys, values, children);
    }

    /** A node, or null when it would hold nothing at all (empty nodes vanish at the bottom). */
    private static MstNode node(int height, byte[][] keys, Cid[] values, MstNode[] children) {
        if (keys.length == 0 && children[0] == null) {
            return null;
        }
        return MstNode.of(height, keys, values, children);
    }

    private static MstNode withChild(MstNode n, int index, MstNode child) {
        MstNode[] children = n.children.clone();
        children[index] = child;
        return MstNode.of(n.height, n.keys, n.values, children);
    }

    private static MstNode[] concat(MstNode[] head, MstNode last) {
        MstNode[] out = Arrays.copyOf(head, head.length + 1);
        out[head.length] = last;
        return out;
    }

    // ---- plumbing ------------------------------------------------------------------------

    /** Index of key in keys, or (-(insertion point) - 1), like Arrays.binarySearch. */
    private static int search(byte[][] keys, byte[] key) {
        int lo = 0;
        int hi = keys.length - 1;
        while (lo <= hi) {
            int mid = (lo + hi) >>> 1;
            int c = Arrays.compareUnsigned(keys[mid], key);
            if (c < 0) {
                lo = mid + 1;
            } else if (c > 0) {
                hi = mid - 1;
            } else {
                return mid;
            }
        }
        return -(lo + 1);
    }

    private MstNode load(MstNode n) {
        if (!n.isLoaded()) {
            byte[] block = source.get(n.cid);
            if (block == null) {
                throw new MissingBlockException(n.cid);
            }
            NodeCodec.decodeInto(n, block, sha256);
        }
        return n;
    }

    private Cid cidOf(MstNode n, BiConsumer<Cid, byte[]> sink) {
        if (n.cid != null) {
            return n.cid;
        }
        for (MstNode c : n.children) {
            if (c != null) {
                cidOf(c, sink);
            }
        }
        byte[] block = NodeCodec.encode(n);
        n.cid = Cid.ofDagCbor(block, sha256); // the tree's digest: no MessageDigest clone per node
        if (sink != null) {
            sink.accept(n.cid, block);
        }
        return n.cid;
    }

    private static byte[] encodeEmpty() {
        Map<String, Object> node = new java.util.HashMap<>();
        node.put("l", null);
        node.put("e", new ArrayList<>());
        return DagCbor.encode(node);
    }

    /** Entries as a list of (key, value) pairs in key order; for tests and small trees. */
    public List<Map.Entry<byte[], Cid>> entries() {
        List<Map.Entry<byte[], Cid>> out = new ArrayList<>();
        forEach((k, v) -> out.add(Map.entry(k, v)));
        return out;
    }
}
