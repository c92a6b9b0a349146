package dev.jlay.atproto.repo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.jlay.atproto.car.CarReader;
import dev.jlay.atproto.cid.Cid;
import dev.jlay.atproto.crypto.Curve;
import dev.jlay.atproto.crypto.Keypair;
import dev.jlay.atproto.mst.InversionResult;
import dev.jlay.atproto.mst.Mst;
import dev.jlay.atproto.stream.CommitMessage;
import dev.jlay.atproto.stream.FirehoseCodec;
import dev.jlay.atproto.stream.RepoMessage;
import dev.jlay.atproto.stream.RepoOp;
import dev.jlay.atproto.stream.SyncMessage;
import dev.jlay.atproto.syntax.TidClock;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/** Random repos and op batches: every commit the writer emits is valid for a v1.1 relay. */
class RepoWriterTest {
    private static final String DID = "did:plc:ewvi7nxzyoun6zhxrhs64oiz";

    static Keypair keypair(long seed, Curve curve) {
        var sr = new SecureRandom() {
            final Random r = new Random(seed);

            @Override
            public void nextBytes(byte[] bytes) {
                r.nextBytes(bytes);
            }
        };
        return Keypair.generate(curve, sr);
    }

    static TidClock fakeClock(long start) {
        var micros = new AtomicLong(start);
        return new TidClock(() -> micros.addAndGet(1000), 7);
    }

    private static Map<String, Object> record(Random rnd) {
        Map<String, Object> m = new HashMap<>();
        m.put("$type", "app.bsky.feed.post");
        m.put("text", "post " + rnd.nextLong());
        m.put("createdAt", "2026-11-26T03:42:39.164Z");
        return m;
    }

    /** Sends a result through the wire codec and checks it as a relay would. */
    private static void checkAsRelay(CommitResult r, Keypair key) {
        byte[] frame = FirehoseCodec.encode(r.toMessage(42, "2026-11-26T03:42:39.164Z"));
        RepoMessage decoded = FirehoseCodec.decode(frame);
        assertThat(decoded).isInstanceOf(CommitMessage.class);
        var msg = (CommitMessage) decoded;
        var diff = CommitDiff.parse(msg);
        assertThat(Commit.unsignedBytesOf(diff.car().block(msg.commit()))).isEqualTo(diff.commit().unsignedBytes());
        assertThat(diff.verifySignature(key.publicKey())).isTrue();
        if (msg.prevData() != null) {
            assertThat(diff.invert().status()).isEqualTo(InversionResult.Status.OK);
        }
        assertThat(msg.blocks().length).isLessThanOrEqualTo(2_000_000);
    }

    @TestFactory
    Stream<DynamicTest> randomBatchesInvertAndVerify() {
        return IntStream.range(0, 12).mapToObj(seed -> DynamicTest.dynamicTest("seed " + seed, () -> {
            var rnd = new Random(seed);
            var key = keypair(seed, seed % 2 == 0 ? Curve.K256 : Curve.P256);
            var repo = RepoWriter.create(DID, key, fakeClock(1_764_000_000_000_000L));
            var g = repo.genesis();
            assertThat(g.prevData()).isNull();
            assertThat(g.since()).isNull();
            assertThat(g.commit().data()).isEqualTo(Mst.EMPTY_ROOT);
            checkAsRelay(g, key);

            Map<String, Cid> state = new TreeMap<>();
            String lastRev = g.rev();
            Cid lastData = g.commit().data();
            for (int batch = 0; batch < 15; batch++) {
                int n = batch == 3 ? 200 : rnd.nextInt(batch % 5 == 0 ? 60 : 6);
                List<Write> writes = new ArrayList<>();
                var used = new java.util.HashSet<String>();
                List<String> existing = new ArrayList<>(state.keySet());
                Collections.shuffle(existing, rnd);
                for (int i = 0; i < n; i++) {
                    int kind = existing.isEmpty() ? 0 : rnd.nextInt(4);
                    if (kind <= 1) {
                        String path = dev.jlay.atproto.mst.MstPropertyTestAccess.randomPath(rnd);
                        if (state.containsKey(path) || !used.add(path)) {
                            continue;
                        }
                        writes.add(Write.create(path, record(rnd)));
                    } else {
                        String path = existing.remove(existing.size() - 1);
                        used.add(path);
                        writes.add(kind == 2 ? Write.update(path, record(rnd)) : Write.delete(path));
                    }
                }
                var r = repo.apply(writes);
                assertThat(r.ops()).hasSize(writes.size());
                assertThat(r.since()).isEqualTo(lastRev);
                assertThat(r.prevData()).isEqualTo(lastData);
                assertThat(r.rev()).isGreaterThan(lastRev);
                for (RepoOp op : r.ops()) {
                    switch (op.action()) {
                        case CREATE, UPDATE -> state.put(op.path(), op.cid());
                        case DELETE -> state.remove(op.path());
                    }
                }
                checkAsRelay(r, key);
                // the structure is the one of the key/value set, however it was reached
                var rebuilt = Mst.empty();
                state.forEach(rebuilt::put);
                assertThat(r.commit().data()).isEqualTo(rebuilt.rootCid());
                lastRev = r.rev();
                lastData = r.commit().data();
            }
            // #sync: a one-block CAR with the head commit
            SyncMessage sync = repo.syncMessage(43, "2026-11-26T03:42:39.164Z");
            var car = CarReader.readFirehose(sync.blocks());
            assertThat(car.roots()).containsExactly(repo.headCid());
            assertThat(car.blocks()).containsOnlyKeys(repo.headCid());
            assertThat(Commit.decode(car.block(repo.headCid())).verify(key.publicKey())).isTrue();
            assertThat(sync.rev()).isEqualTo(lastRev);
        }));
    }

    @Test
    void refusedBatchLeavesTheRepoUnchanged() {
        var key = keypair(1, Curve.K256);
        var repo = RepoWriter.create(DID, key, fakeClock(1_764_000_000_000_000L));
        repo.genesis();
        var r = repo.apply(List.of(Write.create("app.bsky.feed.post/aaa", Map.of("a", 1L))));
        Cid head = repo.headCid();
        assertThatThrownBy(() -> repo.apply(List.of(
                        Write.create("app.bsky.feed.post/bbb", Map.of("a", 2L)),
                        Write.create("app.bsky.feed.post/aaa", Map.of("a", 3L)))))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> repo.apply(List.of(Write.delete("app.bsky.feed.post/zzz"))))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> repo.apply(List.of(Write.create("no-slash", Map.of("a", 2L)))))
                .isInstanceOf(IllegalArgumentException.class);
        assertThat(repo.headCid()).isEqualTo(head);
        assertThat(repo.get("app.bsky.feed.post/bbb")).isNull();
        var next = repo.apply(List.of(Write.delete("app.bsky.feed.post/aaa")));
        assertThat(next.prevData()).isEqualTo(r.commit().data());
        assertThat(next.commit().data()).isEqualTo(Mst.EMPTY_ROOT);
        assertThat(CommitDiff.parse(next.toMessage(1, "2026-11-26T03:42:39.164Z")).invert())
                .as("the last record goes: its collection is proven empty")
                .isEqualTo(new InversionResult(InversionResult.Status.OK, "", List.of("app.bsky.feed.post")));
    }

    @Test
    void commitDecodeIsStrict() {
        var key = keypair(2, Curve.P256);
        var c = Commit.sign(DID, Mst.EMPTY_ROOT, "3n36qy4sna22z", null, key);
        assertThat(Commit.decode(c.encode()).verify(key.publicKey())).isTrue();
        assertThat(Commit.decode(c.encode()).verify(keypair(3, Curve.P256).publicKey())).isFalse();

        Map<String, Object> m = new HashMap<>();
        m.put("did", DID);
        m.put("version", 3L);
        m.put("data", Mst.EMPTY_ROOT);
        m.put("rev", "3n36qy4sna22z");
        m.put("prev", null);
        m.put("sig", c.sig());
        var ok = dev.jlay.atproto.cbor.DagCbor.encode(m);
        assertThat(Commit.decode(ok).did()).isEqualTo(DID);
        for (var bad : List.<java.util.function.Consumer<Map<String, Object>>>of(
                x -> x.put("version", 2L),
                x -> x.remove("prev"),
                x -> x.put("extra", 1L),
                x -> x.put("rev", "not-a-tid"),
                x -> x.put("did", "nobody"),
                x -> x.put("data", "bafy"),
                x -> x.put("sig", "sig"),
                x -> x.put("data", Cid.ofRaw(new byte[] {1})))) {
            Map<String, Object> copy = new HashMap<>(m);
            bad.accept(copy);
            assertThatThrownBy(() -> Commit.decode(dev.jlay.atproto.cbor.DagCbor.encode(copy)))
                    .isInstanceOf(CommitException.class);
        }
    }

    @Test
    void theSignedBytesCutFromABlockAreTheOnesEncodedAgainForEveryShapeOfCommit() {
        var key = Keypair.generate(Curve.K256, new SecureRandom());
        var random = new Random(24);
        for (int i = 0; i < 200; i++) {
            // DIDs and revs of several lengths (heads of 1 and 2 bytes), prev null or a link
            String did = "did:plc:" + "a".repeat(1 + random.nextInt(40));
            Cid data = Cid.ofDagCbor(new byte[] {(byte) i});
            Cid prev = random.nextBoolean() ? null : Cid.ofDagCbor(new byte[] {(byte) i, 1});
            var commit = Commit.sign(did, data, "3jzfcijpj2z2a", prev, key);
            assertThat(Commit.unsignedBytesOf(commit.encode())).isEqualTo(commit.unsignedBytes());
        }
        assertThatThrownBy(() -> Commit.unsignedBytesOf(new byte[] {(byte) 0xa5})).isInstanceOf(CommitException.class);
    }
}
