package dev.jlay.atproto.mst;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.jlay.atproto.cbor.DagCbor;
import dev.jlay.atproto.cid.Cid;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Hand-made nodes that break one rule each must be refused when the tree walks into them. */
class MstNodeStrictnessTest {
    private static final Cid LEAF = Cid.parse("bafyreie5cvv4h45feadgeuwhbcutmh6t2ceseocckahdoe6uat64zmz454");

    private static Map<String, Object> entry(long p, String k, Cid t) {
        Map<String, Object> e = new HashMap<>();
        e.put("p", p);
        e.put("k", k.getBytes());
        e.put("v", LEAF);
        e.put("t", t);
        return e;
    }

    private static Map<String, Object> node(Cid l, List<Object> entries) {
        Map<String, Object> n = new HashMap<>();
        n.put("l", l);
        n.put("e", entries);
        return n;
    }

    private static Mst treeOf(Map<String, Object> root, Map<Cid, byte[]> more) {
        byte[] block = DagCbor.encode(root);
        Cid cid = Cid.ofDagCbor(block);
        Map<Cid, byte[]> blocks = new HashMap<>(more);
        blocks.put(cid, block);
        return Mst.load(cid, BlockSource.of(blocks));
    }

    private static Mst treeOf(Map<String, Object> root) {
        return treeOf(root, Map.of());
    }

    @Test
    void acceptsAWellFormedNode() {
        // A0/ and C0/ are height 0 (example_keys.txt)
        var t = treeOf(node(null, List.of(entry(0, "A0/374913", null), entry(0, "C0/451630", null))));
        assertThat(t.get("C0/451630")).isEqualTo(LEAF);
        assertThat(t.get("B0/601692")).isNull();
    }

    @Test
    void refusesKeysOutOfOrder() {
        var t = treeOf(node(null, List.of(entry(0, "C0/451630", null), entry(0, "A0/374913", null))));
        assertThatThrownBy(() -> t.get("A0/374913")).isInstanceOf(MstException.class).hasMessageContaining("order");
    }

    @Test
    void refusesMixedHeights() {
        var t = treeOf(node(null, List.of(entry(0, "A0/374913", null), entry(0, "B1/986427", null))));
        assertThatThrownBy(() -> t.get("A0/374913")).isInstanceOf(MstException.class).hasMessageContaining("height");
    }

    @Test
    void refusesNonMaximalPrefixCompression() {
        var t = treeOf(node(null, List.of(entry(0, "A0/374913", null), entry(1, "0/451631", null))));
        assertThatThrownBy(() -> t.get("A0/374913")).isInstanceOf(MstException.class).hasMessageContaining("prefix");
    }

    @Test
    void refusesPrefixLongerThanPreviousKey() {
        var t = treeOf(node(null, List.of(entry(0, "A0/374913", null), entry(40, "x", null))));
        assertThatThrownBy(() -> t.get("A0/374913")).isInstanceOf(MstException.class);
    }

    @Test
    void refusesFirstEntryWithPrefix() {
        var t = treeOf(node(null, List.of(entry(2, "A0/374913", null))));
        assertThatThrownBy(() -> t.get("A0/374913")).isInstanceOf(MstException.class);
    }

    @Test
    void refusesExtraFields() {
        var e = entry(0, "A0/374913", null);
        e.put("x", 1L);
        var t = treeOf(node(null, List.of(e)));
        assertThatThrownBy(() -> t.get("A0/374913")).isInstanceOf(MstException.class);
        var n = node(null, List.of(entry(0, "A0/374913", null)));
        n.put("z", "extra");
        var t2 = treeOf(n);
        assertThatThrownBy(() -> t2.get("A0/374913")).isInstanceOf(MstException.class);
    }

    @Test
    void refusesMissingNullableFields() {
        var e = entry(0, "A0/374913", null);
        e.remove("t");
        var t = treeOf(node(null, List.of(e)));
        assertThatThrownBy(() -> t.get("A0/374913")).isInstanceOf(MstException.class);
        Map<String, Object> n = new HashMap<>();
        n.put("e", List.of(entry(0, "A0/374913", null)));
        var t2 = treeOf(n);
        assertThatThrownBy(() -> t2.get("A0/374913")).isInstanceOf(MstException.class);
    }

    @Test
    void refusesSubtreesBelowHeightZero() {
        var t = treeOf(node(LEAF, List.of(entry(0, "A0/374913", null))));
        assertThatThrownBy(() -> t.get("A0/374913")).isInstanceOf(MstException.class);
    }

    @Test
    void refusesUntrimmedRootAndEmptyInnerNodes() {
        var inner = DagCbor.encode(node(null, List.of()));
        Cid innerCid = Cid.ofDagCbor(inner);
        var t = treeOf(node(innerCid, List.of()), Map.of(innerCid, inner));
        assertThatThrownBy(() -> t.get("A0/374913")).isInstanceOf(MstException.class);
        // B1 at height 1 whose left subtree is a node with nothing in it
        var t2 = treeOf(node(innerCid, List.of(entry(0, "B1/986427", null))), Map.of(innerCid, inner));
        assertThatThrownBy(() -> t2.get("A0/374913")).isInstanceOf(MstException.class).hasMessageContaining("empty");
    }

    @Test
    void refusesChildKeysOutsideTheirGap() {
        // child left of B1 must hold keys < B1; C0 is above it
        var child = DagCbor.encode(node(null, List.of(entry(0, "C0/451630", null))));
        Cid childCid = Cid.ofDagCbor(child);
        var t = treeOf(node(childCid, List.of(entry(0, "B1/986427", null))), Map.of(childCid, child));
        assertThatThrownBy(() -> t.get("A0/374913")).isInstanceOf(MstException.class).hasMessageContaining("bound");
    }

    @Test
    void refusesChildAtWrongHeight() {
        // a height-2 node linking a height-0 child skips a level
        var child = DagCbor.encode(node(null, List.of(entry(0, "A0/374913", null))));
        Cid childCid = Cid.ofDagCbor(child);
        var t = treeOf(node(childCid, List.of(entry(0, "B2/827649", null))), Map.of(childCid, child));
        assertThatThrownBy(() -> t.get("A0/374913")).isInstanceOf(MstException.class).hasMessageContaining("height");
    }

    @Test
    void refusesTooManyEntries() {
        List<Object> entries = new ArrayList<>();
        var rnd = new java.util.Random(7);
        var keys = new java.util.TreeSet<String>();
        while (keys.size() <= Mst.MAX_NODE_ENTRIES) {
            String k = MstPropertyTest.randomPath(rnd);
            if (MstKey.height(k) == 0) {
                keys.add(k);
            }
        }
        String prev = null;
        for (String k : keys) {
            int p = prev == null ? 0 : MstKey.commonPrefixLength(prev, k);
            entries.add(entry(p, k.substring(p), null));
            prev = k;
        }
        var t = treeOf(node(null, entries));
        assertThatThrownBy(() -> t.get("A0/374913")).isInstanceOf(MstException.class).hasMessageContaining("limit");
    }

    @Test
    void refusesNonDagCborLinks() {
        Cid raw = Cid.ofRaw(new byte[] {1, 2, 3});
        var t = treeOf(node(null, List.of(entry(0, "B1/986427", raw))));
        assertThatThrownBy(() -> t.get("B1/986427")).isInstanceOf(MstException.class);
    }

    @Test
    void missingNodeIsItsOwnError() {
        var t = Mst.load(LEAF, BlockSource.empty());
        assertThatThrownBy(() -> t.get("A0/374913")).isInstanceOf(MissingBlockException.class);
    }

    @Test
    void emptyTreeHasTheWellKnownRoot() {
        assertThat(Mst.empty().rootCid()).hasToString("bafyreie5737gdxlw5i64vzichcalba3z2v5n6icifvx5xytvske7mr3hpm");
    }
}
