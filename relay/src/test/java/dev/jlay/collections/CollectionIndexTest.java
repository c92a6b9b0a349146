package dev.jlay.collections;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.jlay.atproto.car.CarReader;
import dev.jlay.atproto.car.CarWriter;
import dev.jlay.atproto.mst.MstInversion;
import dev.jlay.atproto.repo.Commit;
import dev.jlay.atproto.cid.Cid;
import dev.jlay.atproto.crypto.Curve;
import dev.jlay.atproto.crypto.Keypair;
import dev.jlay.atproto.repo.CommitResult;
import dev.jlay.atproto.repo.RepoWriter;
import dev.jlay.atproto.repo.Write;
import dev.jlay.atproto.syntax.TidClock;
import dev.jlay.atproto.stream.AccountMessage;
import dev.jlay.atproto.stream.CommitMessage;
import dev.jlay.atproto.stream.IdentityMessage;
import dev.jlay.atproto.stream.RepoOp;
import dev.jlay.metrics.MetricRegistry;
import dev.jlay.memory.Stage;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CollectionIndexTest {
    @TempDir
    Path dir;

    private static RepoOp create(String path) {
        return new RepoOp(RepoOp.Action.CREATE, path, Cid.ofRaw(path.getBytes(StandardCharsets.UTF_8)), null);
    }

    private static RepoOp delete(String path) {
        return new RepoOp(RepoOp.Action.DELETE, path, null, Cid.ofRaw(path.getBytes(StandardCharsets.UTF_8)));
    }

    @Test
    void listsReposByCollectionInDidOrderWithPages() {
        try (var index = CollectionIndex.open(dir, 1 << 20, null)) {
            index.accept("did:plc:ccc", List.of(create("app.bsky.feed.post/3k1"), create("app.bsky.feed.like/3k2")));
            index.accept("did:plc:aaa", List.of(create("app.bsky.feed.post/3k3")));
            index.accept("did:plc:bbb", List.of(create("app.bsky.feed.postgate/3k4")));
            index.accept("did:plc:bbb", List.of(create("app.bsky.feed.post/3k5")));
            assertThat(index.repos("app.bsky.feed.post", null, 10))
                    .containsExactly("did:plc:aaa", "did:plc:bbb", "did:plc:ccc");
            assertThat(index.repos("app.bsky.feed.post", null, 2)).containsExactly("did:plc:aaa", "did:plc:bbb");
            assertThat(index.repos("app.bsky.feed.post", "did:plc:bbb", 2)).containsExactly("did:plc:ccc");
            assertThat(index.repos("app.bsky.feed.post", "did:plc:ccc", 2)).isEmpty();
            // a collection whose NSID is a prefix of another's does not leak into it
            assertThat(index.repos("app.bsky.feed.postgate", null, 10)).containsExactly("did:plc:bbb");
            assertThat(index.repos("app.bsky.feed", null, 10)).isEmpty();
            assertThat(index.collections("did:plc:ccc")).containsExactly("app.bsky.feed.like", "app.bsky.feed.post");
        }
    }

    @Test
    void deletesKeepTheRepoListedAndRemoveRepoForgetsItInBothDirections() {
        try (var index = CollectionIndex.open(dir, 1 << 20, null)) {
            index.accept("did:plc:aaa", List.of(create("app.bsky.feed.post/3k1"), create("app.bsky.graph.follow/3k2")));
            index.accept("did:plc:aaa", List.of(delete("app.bsky.feed.post/3k1")));
            index.accept("did:plc:zzz", List.of(delete("app.bsky.feed.like/3k1")));
            assertThat(index.repos("app.bsky.feed.post", null, 10)).containsExactly("did:plc:aaa");
            assertThat(index.repos("app.bsky.feed.like", null, 10)).isEmpty();
            index.removeRepo("did:plc:aaa");
            assertThat(index.repos("app.bsky.feed.post", null, 10)).isEmpty();
            assertThat(index.repos("app.bsky.graph.follow", null, 10)).isEmpty();
            assertThat(index.collections("did:plc:aaa")).isEmpty();
        }
    }

    @Test
    void feedsOnlyCommitsAndSurvivesReopen() {
        var metrics = new MetricRegistry();
        try (var index = CollectionIndex.open(dir, 1 << 20, metrics)) {
            index.accept(new IdentityMessage(1, "did:plc:idonly", "2026-01-01T00:00:00Z", null));
            index.accept(new CommitMessage(2, "did:plc:aaa", Cid.ofRaw(new byte[]{1}), "3k2222222222a", null,
                    new byte[0], List.of(create("com.example.thing/1")), null, List.of(), "2026-01-01T00:00:00Z",
                    false, false));
            assertThat(metrics.stage(Stage.INDEX).events()).isEqualTo(1);
            assertThat(metrics.render()).contains(
                    "relay_buffer_capacity{buffer=\"collection_index_block_cache\"} 1048576");
        }
        assertThat(metrics.render()).doesNotContain("collection_index_block_cache");
        try (var index = CollectionIndex.open(dir, 1 << 20, null)) {
            assertThat(index.repos("com.example.thing", null, 10)).containsExactly("did:plc:aaa");
            assertThat(index.collections("did:plc:idonly")).isEmpty();
        }
    }

    @Test
    void aDeletedAccountIsForgottenButADeactivatedOneIsNot() {
        try (var index = CollectionIndex.open(dir, 1 << 20, null)) {
            index.accept("did:plc:aaa", List.of(create("app.bsky.feed.post/1")));
            index.accept("did:plc:bbb", List.of(create("app.bsky.feed.post/1")));
            index.accept(new AccountMessage(3, "did:plc:aaa", "2026-01-01T00:00:00Z", false, "deactivated"));
            assertThat(index.repos("app.bsky.feed.post", null, 10)).containsExactly("did:plc:aaa", "did:plc:bbb");
            index.accept(new AccountMessage(4, "did:plc:aaa", "2026-01-01T00:00:00Z", false, "deleted"));
            assertThat(index.repos("app.bsky.feed.post", null, 10)).containsExactly("did:plc:bbb");
            assertThat(index.collections("did:plc:aaa")).isEmpty();
        }
    }

    @Test
    void aClosedIndexThrowsInsteadOfCrashing() {
        var index = CollectionIndex.open(dir, 1 << 20, null);
        index.close();
        assertThatThrownBy(() -> index.repos("app.bsky.feed.post", null, 1))
                .isInstanceOf(CollectionIndexException.class);
        index.close(); // twice is fine
    }

    /** Random creates/updates/deletes across repos and collections, read back through random page sizes. */
    @Test
    void randomOpsPagedBackMatchAModel() {
        var random = new Random(20261126);
        var nsids = List.of("app.bsky.feed.post", "app.bsky.feed.like", "app.bsky.graph.follow", "com.example.a",
                "com.example.a.b", "com.example.ab");
        var model = new TreeMap<String, TreeSet<String>>();
        try (var index = CollectionIndex.open(dir, 1 << 20, null)) {
            for (int i = 0; i < 3000; i++) {
                var did = "did:plc:" + Integer.toString(random.nextInt(400), 36);
                var ops = new ArrayList<RepoOp>();
                int n = 1 + random.nextInt(4);
                for (int j = 0; j < n; j++) {
                    var nsid = nsids.get(random.nextInt(nsids.size()));
                    var path = nsid + "/" + i + "x" + j;
                    switch (random.nextInt(3)) {
                        case 0 -> ops.add(delete(path));
                        case 1 -> ops.add(new RepoOp(RepoOp.Action.UPDATE, path, Cid.ofRaw(new byte[]{(byte) j}),
                                null));
                        default -> ops.add(create(path));
                    }
                    if (ops.getLast().action() != RepoOp.Action.DELETE) {
                        model.computeIfAbsent(nsid, k -> new TreeSet<>()).add(did);
                    }
                }
                index.accept(did, ops);
            }
            for (var nsid : nsids) {
                var got = new ArrayList<String>();
                String cursor = null;
                while (true) {
                    int limit = 1 + random.nextInt(50);
                    var page = index.repos(nsid, cursor, limit);
                    got.addAll(page);
                    if (page.size() < limit) {
                        break;
                    }
                    cursor = page.getLast();
                }
                assertThat(got).as(nsid).containsExactlyElementsOf(model.getOrDefault(nsid, new TreeSet<>()));
            }
        }
    }

    // ---- deletions proven by the commit's own tree

    private static final String DID = "did:plc:deletetestaaaaaaaaaaaaa";

    private static RepoWriter repo(long seed) {
        var key = Keypair.generate(Curve.K256, new java.security.SecureRandom(
                java.nio.ByteBuffer.allocate(8).putLong(seed).array()));
        var repo = RepoWriter.create(DID, key, TidClock.system((int) (seed & 1023)));
        repo.genesis();
        return repo;
    }

    private static Write put(String path) {
        return Write.create(path, Map.of("$type", path.substring(0, path.indexOf('/')), "n", path));
    }

    private static CommitMessage message(CommitResult c) {
        return c.toMessage(1, "2026-11-26T00:00:00Z");
    }

    @Test
    void aCommitThatDeletesTheLastRecordOfACollectionTakesTheRepoOutOfIt() {
        var repo = repo(1);
        try (var index = CollectionIndex.open(dir, 1 << 20, null)) {
            index.accept(message(repo.apply(List.of(put("app.bsky.feed.post/a"), put("app.bsky.feed.post/b"),
                    put("app.bsky.feed.like/x"), put("app.bsky.feed.postgate/p")))));
            assertThat(index.collections(DID)).containsExactly("app.bsky.feed.like", "app.bsky.feed.post",
                    "app.bsky.feed.postgate");

            index.accept(message(repo.apply(List.of(Write.delete("app.bsky.feed.post/a")))));
            assertThat(index.repos("app.bsky.feed.post", null, 10)).as("post/b remains").containsExactly(DID);

            index.accept(message(repo.apply(List.of(Write.delete("app.bsky.feed.like/x")))));
            assertThat(index.repos("app.bsky.feed.like", null, 10)).isEmpty();

            // the last post goes while a follow arrives: post leaves, follow joins, postgate (a neighbour) stays
            index.accept(message(repo.apply(List.of(Write.delete("app.bsky.feed.post/b"),
                    put("app.bsky.graph.follow/f")))));
            assertThat(index.collections(DID)).containsExactly("app.bsky.feed.postgate", "app.bsky.graph.follow");
            assertThat(index.repos("app.bsky.feed.post", null, 10)).isEmpty();

            // a delete and a create in the same collection: it stays
            index.accept(message(repo.apply(List.of(Write.delete("app.bsky.feed.postgate/p"),
                    put("app.bsky.feed.postgate/q")))));
            assertThat(index.repos("app.bsky.feed.postgate", null, 10)).containsExactly(DID);
        }
    }

    @Test
    void withoutTheProofBlocksNothingIsProvenAndTheRepoStays() {
        var repo = repo(2);
        try (var index = CollectionIndex.open(dir, 1 << 20, null)) {
            index.accept(message(repo.apply(List.of(put("app.bsky.feed.like/x"), put("app.bsky.feed.post/a")))));
            var full = repo.apply(List.of(Write.delete("app.bsky.feed.like/x")));
            // the CAR cut down to the commit block: the MST path to the deleted key is missing
            var car = CarWriter.write(List.of(full.cid()), Map.of(full.cid(), full.blocks().get(full.cid())));
            var m = message(full);
            var cut = new CommitMessage(m.seq(), m.repo(), m.commit(), m.rev(), m.since(), car, m.ops(), m.prevData(),
                    m.blobs(), m.time(), m.tooBig(), m.rebase());
            index.accept(cut);
            assertThat(index.repos("app.bsky.feed.like", null, 10)).containsExactly(DID);
            // garbage blocks prove nothing either
            index.accept(new CommitMessage(m.seq(), m.repo(), m.commit(), m.rev(), m.since(), new byte[] {1, 2, 3},
                    m.ops(), m.prevData(), m.blobs(), m.time(), m.tooBig(), m.rebase()));
            assertThat(index.repos("app.bsky.feed.like", null, 10)).containsExactly(DID);
            // the real commit does
            index.accept(m);
            assertThat(index.repos("app.bsky.feed.like", null, 10)).isEmpty();
            assertThat(index.repos("app.bsky.feed.post", null, 10)).containsExactly(DID);
        }
    }

    /**
     * Random commits (creates, updates, deletes) on one real repo over collections whose NSIDs
     * prefix each other: after every commit the repo is listed in exactly the collections that
     * hold a record.
     */
    @Test
    void randomCommitsKeepTheRepoListedInExactlyItsNonEmptyCollectionsWithValidationsProofOrTheirOwn() {
        var random = new Random(26_11_2026L);
        var nsids = List.of("com.example.a", "com.example.a.b", "com.example.ab", "app.bsky.feed.post",
                "app.bsky.feed.postgate");
        var repo = repo(3);
        var records = new TreeSet<String>();
        int n = 0;
        int emptied = 0;
        var before = new TreeSet<String>();
        try (var index = CollectionIndex.open(dir, 1 << 20, null)) {
            for (int commit = 0; commit < 300; commit++) {
                var writes = new ArrayList<Write>();
                var touched = new java.util.HashSet<String>();
                int ops = 1 + random.nextInt(4);
                for (int i = 0; i < ops; i++) {
                    // phases that grow the repo and phases that shrink it, so collections empty often
                    int deletePercent = (commit / 30) % 2 == 0 ? 35 : 80;
                    if (!records.isEmpty() && random.nextInt(100) < deletePercent) {
                        var all = new ArrayList<>(records);
                        var path = all.get(random.nextInt(all.size()));
                        if (!touched.add(path)) {
                            continue;
                        }
                        if (random.nextInt(4) == 0) {
                            writes.add(Write.update(path, Map.of("$type", "x", "v", commit)));
                        } else {
                            writes.add(Write.delete(path));
                            records.remove(path);
                        }
                    } else {
                        var path = nsids.get(random.nextInt(nsids.size())) + "/r" + (n++);
                        touched.add(path);
                        writes.add(put(path));
                        records.add(path);
                    }
                }
                if (writes.isEmpty()) {
                    continue;
                }
                var m = message(repo.apply(writes));
                // what validation's inversion proves empty must be what the index proves from the CAR
                var car = CarReader.readFirehose(m.blocks());
                var inv = MstInversion.verify(car.blocks(), Commit.decode(car.block(m.commit())).data(), m.ops(),
                        m.prevData());
                assertThat(inv.ok()).as("commit %d inverts: %s", commit, inv).isTrue();
                var candidates = EmptiedCollections.candidates(m.ops());
                assertThat(candidates.keySet().stream().filter(inv.emptiedCollections()::contains).toList())
                        .as("commit %d: validation's emptied collections", commit)
                        .containsExactlyElementsOf(EmptiedCollections.provenEmpty(m, candidates));
                // half the commits with validation's answer (the relay's path), half proven by the index itself
                if (commit % 2 == 0) {
                    index.accept(m, inv.emptiedCollections());
                } else {
                    index.accept(m);
                }
                var expected = new TreeSet<String>();
                records.forEach(p -> expected.add(p.substring(0, p.indexOf('/'))));
                assertThat(index.collections(DID)).as("after commit %d", commit).containsExactlyElementsOf(expected);
                before.removeAll(expected);
                emptied += before.size();
                before = expected;
            }
        }
        assertThat(emptied).as("collections emptied along the way").isGreaterThan(10);
    }
}
