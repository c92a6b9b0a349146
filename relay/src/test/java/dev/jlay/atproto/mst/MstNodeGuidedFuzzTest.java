package dev.jlay.atproto.mst;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.jlay.atproto.cid.Cid;
import dev.jlay.atproto.cid.Sha256;
import org.junit.jupiter.api.Tag;

/**
 * Coverage-guided fuzzing (Jazzer) of the MST node decoder, as a root node. Contract: any block
 * decodes or throws {@link MstException}; decoding is strict, so a decoded node encodes back to
 * the same bytes. Without JAZZER_FUZZ this replays MstNodeGuidedFuzzTestInputs/.
 */
@Tag("fuzz")
class MstNodeGuidedFuzzTest {
    @FuzzTest(maxDuration = "60s")
    void decode(byte[] block) {
        var node = MstNode.stub(Cid.ofDagCbor(block), -1, null, null);
        try {
            NodeCodec.decodeInto(node, block, Sha256.newDigest());
        } catch (MstException e) {
            return;
        }
        assertThat(NodeCodec.encode(node)).isEqualTo(block);
    }
}
