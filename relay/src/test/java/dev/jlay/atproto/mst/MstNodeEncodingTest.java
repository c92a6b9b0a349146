package dev.jlay.atproto.mst;

import static org.assertj.core.api.Assertions.assertThat;

import dev.jlay.atproto.cid.Cid;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Random;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/** NodeCodec's direct encoder against the general DAG-CBOR encoder: the same bytes for every node shape. */
class MstNodeEncodingTest {
    @Test
    void theDirectEncoderWritesTheGeneralEncodersBytesForRandomNodes() {
        var random = new Random(16);
        for (int round = 0; round < 3_000; round++) {
            int count = random.nextInt(round % 10 == 0 ? 40 : 6);
            var keys = new TreeSet<String>();
            // long shared prefixes and long suffixes: heads of 1, 2 and 3 bytes for p and k
            String base = "app.bsky.feed.post/" + "x".repeat(random.nextInt(300));
            while (keys.size() < count) {
                keys.add(base + Long.toString(random.nextLong() & Long.MAX_VALUE, 36)
                        + "y".repeat(random.nextInt(random.nextInt(4) == 0 ? 400 : 3)));
            }
            byte[][] k = keys.stream().map(s -> s.getBytes(StandardCharsets.UTF_8)).toArray(byte[][]::new);
            var values = new Cid[count];
            var children = new MstNode[count + 1];
            for (int i = 0; i < count; i++) values[i] = cid(random);
            for (int i = 0; i <= count; i++) {
                if (random.nextBoolean()) children[i] = MstNode.stub(cid(random), 0, null, null);
            }
            var node = MstNode.of(1, k, values, children);
            byte[] direct = NodeCodec.encode(node);
            assertThat(direct).as("node of %d entries (round %d)", count, round).isEqualTo(NodeCodec.encodeGeneric(node));
        }
    }

    @Test
    void theEmptyNodeIsTheKnownEmptyTreeBlock() {
        // {"e": [], "l": null}
        assertThat(NodeCodec.encode(MstNode.empty()))
                .isEqualTo(new byte[] {(byte) 0xa2, 0x61, 'e', (byte) 0x80, 0x61, 'l', (byte) 0xf6});
    }

    private static Cid cid(Random random) {
        byte[] data = new byte[8];
        random.nextBytes(data);
        return random.nextBoolean() ? Cid.ofDagCbor(data) : Cid.ofRaw(data);
    }
}
