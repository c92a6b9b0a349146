package dev.jlay.atproto.repo;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.jlay.atproto.car.Car;
import dev.jlay.atproto.cid.Cid;
import dev.jlay.atproto.crypto.PublicKey;
import dev.jlay.atproto.mst.InversionResult.Status;
import dev.jlay.atproto.mst.Mst;
import dev.jlay.atproto.stream.CommitMessage;
import dev.jlay.atproto.stream.CorpusFrames;
import dev.jlay.atproto.stream.FirehoseCodec;
import dev.jlay.atproto.stream.RepoOp;
import dev.jlay.testing.SharedFixtures;
import java.io.IOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * Every {@code #commit} recorded from the reference PDS parses, inverts to its prevData, and is
 * signed by the key its DID had when the commit was made (the corpus includes key rotations).
 */
class CorpusCommitTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    /** Per DID: (time the key became current, key), oldest first, from the PLC audit log. */
    private static final Map<String, List<Map.Entry<Instant, PublicKey>>> KEY_HISTORY = new HashMap<>();
    private static final Map<String, PublicKey> CURRENT_KEY = new HashMap<>();
    private static final List<CommitMessage> COMMITS = new ArrayList<>();

    @BeforeAll
    static void load() throws IOException {
        JsonNode logs = JSON.readTree(SharedFixtures.corpusDir().resolve("plc-audit-log.json").toFile());
        for (var it = logs.properties().iterator(); it.hasNext(); ) {
            var e = it.next();
            var history = new ArrayList<Map.Entry<Instant, PublicKey>>();
            for (JsonNode entry : e.getValue()) {
                JsonNode vm = entry.path("operation").path("verificationMethods").path("atproto");
                if (!entry.path("nullified").asBoolean() && vm.isTextual()) {
                    history.add(Map.entry(Instant.parse(entry.get("createdAt").asText()), PublicKey.fromDidKey(vm.asText())));
                }
            }
            KEY_HISTORY.put(e.getKey(), history);
        }
        JsonNode docs = JSON.readTree(SharedFixtures.corpusDir().resolve("did-docs.json").toFile());
        for (var it = docs.properties().iterator(); it.hasNext(); ) {
            var e = it.next();
            for (JsonNode vm : e.getValue().path("verificationMethod")) {
                if (vm.get("id").asText().endsWith("#atproto")) {
                    CURRENT_KEY.put(e.getKey(), PublicKey.fromMultikey(vm.get("publicKeyMultibase").asText()));
                }
            }
        }
        for (var frame : CorpusFrames.all()) {
            if (FirehoseCodec.decode(frame.bytes()) instanceof CommitMessage c) {
                COMMITS.add(c);
            }
        }
    }

    /** The key that was current at {@code time}. */
    private static PublicKey keyAt(String did, Instant time) {
        PublicKey key = null;
        for (var e : KEY_HISTORY.get(did)) {
            if (!e.getKey().isAfter(time)) {
                key = e.getValue();
            }
        }
        return key;
    }

    @Test
    void corpusHasCommitsWithOpsAndRotations() {
        assertThat(COMMITS).hasSizeGreaterThan(600);
        assertThat(COMMITS.stream().filter(c -> c.ops().size() == 200)).isNotEmpty();
        assertThat(KEY_HISTORY).containsKeys(COMMITS.stream().map(CommitMessage::repo).distinct().toArray(String[]::new));
    }

    @TestFactory
    Stream<DynamicTest> everyCommitInvertsAndVerifies() {
        return COMMITS.stream().map(c -> DynamicTest.dynamicTest(c.repo() + " seq " + c.seq() + " rev " + c.rev(), () -> {
            var diff = CommitDiff.parse(c);
            if (c.prevData() == null) {
                // the genesis commit of a new repo: nothing to invert, an empty tree
                assertThat(c.since()).isNull();
                assertThat(c.ops()).isEmpty();
                assertThat(diff.commit().data()).isEqualTo(Mst.EMPTY_ROOT);
            } else {
                assertThat(diff.invert().status()).isEqualTo(Status.OK);
            }
            PublicKey key = keyAt(c.repo(), Instant.parse(c.time()));
            assertThat(key).as("a key was current at %s", c.time()).isNotNull();
            assertThat(diff.verifySignature(key)).as("signature by the key current at %s", c.time()).isTrue();
            assertThat(diff.car().block(c.commit())).isEqualTo(diff.commit().encode());
            assertThat(Commit.unsignedBytesOf(diff.car().block(c.commit())))
                    .as("the signed bytes cut from the block are the ones encoded again").isEqualTo(diff.commit().unsignedBytes());
            assertThat(diff.commit().cid()).isEqualTo(c.commit());
        }));
    }

    /**
     * The key must be the DID's own: no commit verifies with another DID's key. (The audit logs
     * of this corpus keep the same #atproto key across every operation, so the per-time key
     * lookup above is exercised but never actually switches keys.)
     */
    @Test
    void commitsDoNotVerifyWithAnotherDidsKey() {
        var dids = new ArrayList<>(CURRENT_KEY.keySet());
        int checked = 0;
        for (var c : COMMITS) {
            String other = dids.get((dids.indexOf(c.repo()) + 1) % dids.size());
            assertThat(CommitDiff.parse(c).verifySignature(CURRENT_KEY.get(other))).isFalse();
            checked++;
        }
        assertThat(checked).isEqualTo(COMMITS.size());
    }

    private static List<CommitMessage> withOps(int min) {
        return COMMITS.stream().filter(c -> c.prevData() != null && c.ops().size() >= min).toList();
    }

    private static CommitMessage with(CommitMessage c, byte[] blocks, List<RepoOp> ops, Cid prevData) {
        return new CommitMessage(c.seq(), c.repo(), c.commit(), c.rev(), c.since(), blocks, ops, prevData,
                c.blobs(), c.time(), c.tooBig(), c.rebase());
    }

    @TestFactory
    Stream<DynamicTest> tamperingFailsWithTheRightReason() {
        List<DynamicTest> tests = new ArrayList<>();
        for (var c : withOps(1)) {
            String name = c.repo() + " seq " + c.seq();
            tests.add(DynamicTest.dynamicTest(name + ": op removed", () -> {
                var ops = new ArrayList<>(c.ops());
                ops.remove(ops.size() - 1);
                assertThat(CommitDiff.parse(with(c, c.blocks(), ops, c.prevData())).invert().status())
                        .isEqualTo(Status.ROOT_MISMATCH);
            }));
            tests.add(DynamicTest.dynamicTest(name + ": prevData changed", () -> {
                Cid other = Cid.ofDagCbor(c.rev().getBytes());
                assertThat(CommitDiff.parse(with(c, c.blocks(), c.ops(), other)).invert().status())
                        .isEqualTo(Status.ROOT_MISMATCH);
            }));
            tests.add(DynamicTest.dynamicTest(name + ": op cid changed", () -> {
                var ops = new ArrayList<>(c.ops());
                RepoOp op = ops.get(0);
                if (op.action() == RepoOp.Action.DELETE) {
                    ops.set(0, new RepoOp(RepoOp.Action.CREATE, op.path(), op.prev(), null));
                } else {
                    ops.set(0, new RepoOp(op.action(), op.path(), Cid.ofDagCbor(new byte[] {1}), op.prev()));
                }
                assertThat(CommitDiff.parse(with(c, c.blocks(), ops, c.prevData())).invert().status())
                        .isEqualTo(Status.OP_MISMATCH);
            }));
            tests.add(DynamicTest.dynamicTest(name + ": MST root block missing", () -> {
                var diff = CommitDiff.parse(c);
                Car car = diff.car();
                var blocks = new java.util.LinkedHashMap<>(car.blocks());
                blocks.remove(diff.commit().data());
                byte[] bytes = dev.jlay.atproto.car.CarWriter.write(car.roots(), blocks);
                assertThat(CommitDiff.parse(with(c, bytes, c.ops(), c.prevData())).invert().status())
                        .isEqualTo(Status.MISSING_BLOCK);
            }));
            RepoOp written = c.ops().stream().filter(o -> o.cid() != null).findFirst().orElse(null);
            if (written != null) {
                tests.add(DynamicTest.dynamicTest(name + ": record block missing", () -> {
                    var diff = CommitDiff.parse(c);
                    var blocks = new java.util.LinkedHashMap<>(diff.car().blocks());
                    blocks.remove(written.cid());
                    byte[] bytes = dev.jlay.atproto.car.CarWriter.write(diff.car().roots(), blocks);
                    assertThat(CommitDiff.parse(with(c, bytes, c.ops(), c.prevData())).invert().status())
                            .isEqualTo(Status.MISSING_RECORD);
                }));
            }
        }
        assertThat(tests).hasSizeGreaterThan(100);
        return tests.stream();
    }

    /** Removing any one MST node block from a multi-op diff makes it unprovable, never "valid". */
    @Test
    void everyNodeOfABigDiffIsNeeded() {
        var big = withOps(100).get(0);
        var diff = CommitDiff.parse(big);
        var nodes = new ArrayList<Cid>();
        for (var e : diff.car().blocks().entrySet()) {
            if (!e.getKey().equals(big.commit()) && isMstNode(e.getValue())) {
                nodes.add(e.getKey());
            }
        }
        assertThat(nodes).hasSizeGreaterThan(5);
        int missing = 0;
        for (Cid node : nodes) {
            var blocks = new java.util.LinkedHashMap<>(diff.car().blocks());
            blocks.remove(node);
            byte[] bytes = dev.jlay.atproto.car.CarWriter.write(diff.car().roots(), blocks);
            var status = CommitDiff.parse(with(big, bytes, big.ops(), big.prevData())).invert().status();
            assertThat(status).isNotEqualTo(Status.OK);
            if (status == Status.MISSING_BLOCK) {
                missing++;
            }
        }
        assertThat(missing).isEqualTo(nodes.size());
    }

    private static boolean isMstNode(byte[] block) {
        return dev.jlay.atproto.cbor.DagCbor.decode(block) instanceof Map<?, ?> m && m.containsKey("e") && m.containsKey("l");
    }
}
