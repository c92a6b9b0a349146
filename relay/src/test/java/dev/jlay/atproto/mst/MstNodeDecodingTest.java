package dev.jlay.atproto.mst;

import static org.assertj.core.api.Assertions.assertThat;

import dev.jlay.atproto.cid.Cid;
import dev.jlay.atproto.cid.Sha256;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * NodeCodec's direct decoder (a cursor over the block) against the reference decoder (the general
 * DAG-CBOR decoder, then the maps' fields): both accept the same blocks and fill the same node, on
 * the fuzz corpus, real nodes of random trees, and every kind of small corruption of those.
 */
class MstNodeDecodingTest {
    private static final MessageDigest SHA = Sha256.newDigest();

    @Test
    void bothDecodersAgreeOnTheFuzzCorpus() throws Exception {
        var dir = Path.of("src/test/resources/dev/jlay/atproto/mst/MstNodeGuidedFuzzTestInputs/decode");
        List<byte[]> inputs = new ArrayList<>();
        try (Stream<Path> files = Files.list(dir)) {
            for (Path f : files.toList()) {
                inputs.add(Files.readAllBytes(f));
            }
        }
        assertThat(inputs).hasSizeGreaterThan(30);
        int accepted = 0;
        for (byte[] block : inputs) {
            accepted += agree(block, -1) ? 1 : 0;
        }
        assertThat(accepted).as("the corpus holds valid nodes too").isPositive();
    }

    @Test
    void bothDecodersAgreeOnRealNodesAndTheirCorruptions() {
        var random = new Random(24);
        int accepted = 0;
        int refused = 0;
        int decoded = 0;
        var blocks = treeBlocks(random);
        for (byte[] block : blocks) {
            // every node but an inner one with only a left subtree decodes as a root
            decoded += agree(block, -1) ? 1 : 0;
            for (int round = 0; round < 40; round++) {
                if (agree(corrupt(block, random), -1)) accepted++; else refused++;
            }
            // as a child at the wrong height and at height 0 (subtree links must be refused there)
            agree(block, 0);
            agree(block, 3);
        }
        assertThat(decoded).as("the trees' nodes decode").isGreaterThan(blocks.size() / 2);
        assertThat(refused).as("corruptions that break the node are refused by both").isPositive();
        assertThat(accepted).as("corruptions that stay valid (a changed CID digest) pass both").isPositive();
    }

    /** Blocks of trees with 1 to 300 keys, so nodes of many shapes and heights, with subtrees. */
    private static List<byte[]> treeBlocks(Random random) {
        List<byte[]> blocks = new ArrayList<>();
        for (int size : new int[] {1, 2, 7, 40, 300}) {
            var tree = Mst.empty();
            for (int i = 0; i < size; i++) {
                tree.put(MstPropertyTest.randomPath(random), Cid.ofRaw(new byte[] {(byte) i, (byte) (i >> 8)}));
            }
            blocks.addAll(tree.allBlocks().values());
        }
        return blocks;
    }

    private static byte[] corrupt(byte[] block, Random random) {
        byte[] b = block.clone();
        return switch (random.nextInt(5)) {
            case 0 -> { // one byte changed
                int i = random.nextInt(b.length);
                b[i] = (byte) (b[i] ^ (1 << random.nextInt(8)));
                yield b;
            }
            case 1 -> Arrays.copyOf(b, random.nextInt(b.length)); // truncated
            case 2 -> { // a byte set to a value CBOR gives meaning to (heads, null, undefined, tags)
                int[] special = {0xf6, 0xf7, 0xf4, 0xd8, 0x2a, 0x18, 0x19, 0x1f, 0x5f, 0xa3, 0xa5, 0x00, 0x40, 0x41, 0x60};
                b[random.nextInt(b.length)] = (byte) special[random.nextInt(special.length)];
                yield b;
            }
            case 3 -> { // a byte inserted
                int i = random.nextInt(b.length + 1);
                byte[] out = new byte[b.length + 1];
                System.arraycopy(b, 0, out, 0, i);
                out[i] = (byte) random.nextInt(256);
                System.arraycopy(b, i, out, i + 1, b.length - i);
                yield out;
            }
            default -> { // a byte removed
                int i = random.nextInt(b.length);
                byte[] out = new byte[b.length - 1];
                System.arraycopy(b, 0, out, 0, i);
                System.arraycopy(b, i + 1, out, i, b.length - i - 1);
                yield out;
            }
        };
    }

    /** Decodes with both; asserts the same verdict and the same node; reports whether it was accepted. */
    private static boolean agree(byte[] block, int height) {
        var direct = MstNode.stub(Cid.ofDagCbor(block), height, null, null);
        var generic = MstNode.stub(Cid.ofDagCbor(block), height, null, null);
        MstException directError = null;
        MstException genericError = null;
        try {
            NodeCodec.decodeInto(direct, block, SHA);
        } catch (MstException e) {
            directError = e;
        }
        try {
            NodeCodec.decodeGenericInto(generic, block, SHA);
        } catch (MstException e) {
            genericError = e;
        }
        assertThat(directError == null).as("same verdict for %s (direct: %s, generic: %s)",
                hex(block), directError, genericError).isEqualTo(genericError == null);
        if (directError != null) {
            return false;
        }
        assertThat(direct.height).isEqualTo(generic.height);
        assertThat(direct.keys).isDeepEqualTo(generic.keys);
        assertThat(direct.values).isEqualTo(generic.values);
        assertThat(direct.children.length).isEqualTo(generic.children.length);
        for (int i = 0; i < direct.children.length; i++) {
            var d = direct.children[i];
            var g = generic.children[i];
            assertThat(d == null).isEqualTo(g == null);
            if (d != null) {
                assertThat(d.cid).isEqualTo(g.cid);
                assertThat(d.height).isEqualTo(g.height);
                assertThat(d.lo).isEqualTo(g.lo);
                assertThat(d.hi).isEqualTo(g.hi);
            }
        }
        assertThat(NodeCodec.encode(direct)).as("a decoded node encodes back to its block").isEqualTo(block);
        return true;
    }

    private static String hex(byte[] b) {
        var sb = new StringBuilder();
        for (byte x : b) sb.append(String.format("%02x", x));
        return sb.toString();
    }
}
