package dev.jlay.atproto.mst;

import static org.assertj.core.api.Assertions.assertThat;

import dev.jlay.atproto.cid.Cid;
import dev.jlay.atproto.stream.RepoOp;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/** Seeded random trees: structure is order-independent, proofs suffice for inversion. */
class MstPropertyTest {
    private static final String[] COLLECTIONS = {
        "app.bsky.feed.post", "app.bsky.feed.like", "app.bsky.graph.follow", "app.bsky.feed.repost", "a.b"};
    private static final String TID_CHARS = "234567abcdefghijklmnopqrstuvwxyz";

    static String randomPath(Random rnd) {
        var sb = new StringBuilder(COLLECTIONS[rnd.nextInt(COLLECTIONS.length)]).append('/');
        int len = rnd.nextInt(4) == 0 ? 1 + rnd.nextInt(20) : 13;
        for (int i = 0; i < len; i++) {
            sb.append(TID_CHARS.charAt(rnd.nextInt(TID_CHARS.length())));
        }
        return sb.toString();
    }

    static Cid randomCid(Random rnd) {
        byte[] b = new byte[16];
        rnd.nextBytes(b);
        return Cid.ofDagCbor(b);
    }

    private static Mst build(Map<String, Cid> entries) {
        var t = Mst.empty();
        entries.forEach(t::put);
        return t;
    }

    @TestFactory
    Stream<DynamicTest> structureIndependentOfInsertOrder() {
        return IntStream.range(0, 40).mapToObj(seed -> DynamicTest.dynamicTest("seed " + seed, () -> {
            var rnd = new Random(seed);
            int n = rnd.nextInt(seed < 5 ? 5 : 600);
            Map<String, Cid> entries = new TreeMap<>();
            for (int i = 0; i < n; i++) {
                entries.put(randomPath(rnd), randomCid(rnd));
            }
            Cid sorted = build(entries).rootCid();
            List<String> shuffled = new ArrayList<>(entries.keySet());
            Collections.shuffle(shuffled, rnd);
            var t = Mst.empty();
            // insert with a wrong value first, then fix it: updates must not change structure
            for (String k : shuffled) {
                t.put(k, randomCid(rnd));
            }
            for (String k : shuffled) {
                t.put(k, entries.get(k));
            }
            assertThat(t.rootCid()).isEqualTo(sorted);

            // extra keys inserted then deleted leave no trace
            List<String> extra = new ArrayList<>();
            for (int i = 0; i < 1 + rnd.nextInt(50); i++) {
                String k = randomPath(rnd);
                if (!entries.containsKey(k)) {
                    extra.add(k);
                    t.put(k, randomCid(rnd));
                }
            }
            Collections.shuffle(extra, rnd);
            for (String k : extra) {
                assertThat(t.delete(k)).isTrue();
            }
            assertThat(t.rootCid()).isEqualTo(sorted);

            // deleting everything gives the empty tree
            for (String k : shuffled) {
                assertThat(t.delete(k)).isTrue();
            }
            assertThat(t.rootCid()).isEqualTo(Mst.EMPTY_ROOT);
        }));
    }

    @TestFactory
    Stream<DynamicTest> reloadedTreeMatches() {
        return IntStream.range(0, 20).mapToObj(seed -> DynamicTest.dynamicTest("seed " + seed, () -> {
            var rnd = new Random(1000 + seed);
            Map<String, Cid> entries = new TreeMap<>();
            for (int i = 0, n = rnd.nextInt(800); i < n; i++) {
                entries.put(randomPath(rnd), randomCid(rnd));
            }
            var t = build(entries);
            Map<Cid, byte[]> blocks = t.allBlocks();
            for (var e : blocks.entrySet()) {
                assertThat(Cid.ofDagCbor(e.getValue())).isEqualTo(e.getKey());
            }
            var loaded = Mst.load(t.rootCid(), BlockSource.of(blocks));
            Map<String, Cid> back = new LinkedHashMap<>();
            loaded.forEach((k, v) -> back.put(new String(k, StandardCharsets.UTF_8), v));
            assertThat(back).containsExactlyEntriesOf(entries);
            assertThat(loaded.allBlocks().keySet()).isEqualTo(blocks.keySet());
        }));
    }

    /** A key's neighbours, read from nothing but that key's own proof, are the true neighbours. */
    @TestFactory
    Stream<DynamicTest> neighboursFromTheKeysOwnProof() {
        return IntStream.range(0, 30).mapToObj(seed -> DynamicTest.dynamicTest("seed " + seed, () -> {
            var rnd = new Random(7000 + seed);
            var entries = new TreeMap<String, Cid>();
            for (int i = 0, n = rnd.nextInt(seed % 5 == 0 ? 3 : 400); i < n; i++) {
                entries.put(randomPath(rnd), randomCid(rnd));
            }
            var t = build(entries);
            var root = t.rootCid();
            for (int probe = 0; probe < 50; probe++) {
                var key = probe % 5 == 0 && !entries.isEmpty()
                        ? new ArrayList<>(entries.keySet()).get(rnd.nextInt(entries.size())) : randomPath(rnd);
                var partial = Mst.load(root, BlockSource.of(t.proof(MstKey.bytes(key))));
                var n = partial.neighbors(MstKey.bytes(key));
                if (entries.containsKey(key)) {
                    assertThat(n.present()).isTrue();
                    continue;
                }
                assertThat(n.present()).isFalse();
                assertThat(n.before() == null ? null : new String(n.before(), StandardCharsets.UTF_8))
                        .as("before %s", key).isEqualTo(entries.lowerKey(key));
                assertThat(n.after() == null ? null : new String(n.after(), StandardCharsets.UTF_8))
                        .as("after %s", key).isEqualTo(entries.higherKey(key));
            }
        }));
    }

    /** Random op batches on random trees: the covering proofs alone let the batch be undone. */
    @TestFactory
    Stream<DynamicTest> coveringProofsSufficeForInversion() {
        return IntStream.range(0, 60).mapToObj(seed -> DynamicTest.dynamicTest("seed " + seed, () -> {
            var rnd = new Random(5000 + seed);
            Map<String, Cid> entries = new TreeMap<>();
            for (int i = 0, n = rnd.nextInt(seed % 3 == 0 ? 10 : 500); i < n; i++) {
                entries.put(randomPath(rnd), randomCid(rnd));
            }
            var before = build(entries);
            Cid prevData = before.rootCid();
            var after = before.copy();
            List<RepoOp> ops = new ArrayList<>();
            Map<Cid, byte[]> records = new HashMap<>();
            List<String> existing = new ArrayList<>(entries.keySet());
            Collections.shuffle(existing, rnd);
            int count = 1 + rnd.nextInt(seed % 4 == 0 ? 200 : 8);
            var touched = new java.util.HashSet<String>();
            for (int i = 0; i < count; i++) {
                int kind = rnd.nextInt(3);
                if (kind > 0 && !existing.isEmpty()) {
                    String k = existing.remove(existing.size() - 1);
                    touched.add(k);
                    if (kind == 1) {
                        Cid v = recordCid(rnd, records);
                        ops.add(new RepoOp(RepoOp.Action.UPDATE, k, v, entries.get(k)));
                        after.put(k, v);
                    } else {
                        ops.add(new RepoOp(RepoOp.Action.DELETE, k, null, entries.get(k)));
                        after.delete(k);
                    }
                } else {
                    String k = randomPath(rnd);
                    if (entries.containsKey(k) || !touched.add(k)) {
                        continue;
                    }
                    Cid v = recordCid(rnd, records);
                    ops.add(new RepoOp(RepoOp.Action.CREATE, k, v, null));
                    after.put(k, v);
                }
            }
            Map<Cid, byte[]> diff = new HashMap<>(records);
            Cid newRoot = after.writeNewBlocks(diff::put);
            for (RepoOp op : ops) {
                after.addCoveringProof(MstKey.bytes(op.path()), diff);
            }
            var inverted = MstInversion.verify(diff, newRoot, ops, prevData);
            assertThat(inverted.status()).isEqualTo(InversionResult.Status.OK);
            // the collections left without a record: those of deleted keys that no key of the new tree shares
            var remaining = new java.util.HashSet<String>();
            after.forEach((k, v) -> {
                var path = new String(k, java.nio.charset.StandardCharsets.UTF_8);
                remaining.add(path.substring(0, path.indexOf('/')));
            });
            var emptied = new java.util.LinkedHashSet<String>();
            for (RepoOp op : ops) {
                var nsid = op.path().substring(0, op.path().indexOf('/'));
                if (op.action() == RepoOp.Action.DELETE && !remaining.contains(nsid)) {
                    emptied.add(nsid);
                }
            }
            assertThat(inverted.emptiedCollections()).containsExactlyInAnyOrderElementsOf(emptied);

            if (!ops.isEmpty()) {
                // dropping an op breaks the root; a wrong prevData too
                var fewer = new ArrayList<>(ops);
                fewer.remove(rnd.nextInt(fewer.size()));
                var r = MstInversion.verify(diff, newRoot, fewer, prevData);
                assertThat(r.status()).isIn(InversionResult.Status.ROOT_MISMATCH, InversionResult.Status.MISSING_BLOCK);
            }
            assertThat(MstInversion.verify(diff, newRoot, ops, randomCid(rnd)).status())
                    .isEqualTo(InversionResult.Status.ROOT_MISMATCH);
        }));
    }

    private static Cid recordCid(Random rnd, Map<Cid, byte[]> records) {
        byte[] b = new byte[24];
        rnd.nextBytes(b);
        Cid c = Cid.ofDagCbor(b);
        records.put(c, b);
        return c;
    }
}
