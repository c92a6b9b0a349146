package dev.jlay.atproto.stream;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import org.junit.jupiter.api.Tag;

/**
 * Coverage-guided fuzzing (Jazzer) of the subscribeRepos frame codec and of {@link SeqStamp}, which
 * rewrites seq in frames it does not decode. Contract: any bytes decode or throw
 * {@link FrameException}, and so does stamping; a decoded known message encodes to a frame that
 * decodes to the same encoding (unknown fields are dropped once, then the form is fixed); a
 * stamped sequenced frame decodes to the same message with the new seq.
 * Without JAZZER_FUZZ this replays FirehoseCodecGuidedFuzzTestInputs/ (seeds and past findings).
 */
@Tag("fuzz")
class FirehoseCodecGuidedFuzzTest {
    @FuzzTest(maxDuration = "60s")
    void decode(byte[] input) {
        byte[] stamped;
        try {
            stamped = SeqStamp.withSeq(input, 42);
        } catch (FrameException e) {
            stamped = null;
        }
        RepoMessage message;
        try {
            message = FirehoseCodec.decode(input);
        } catch (FrameException e) {
            return;
        }
        if (message instanceof UnknownMessage) {
            return;
        }
        byte[] encoded = FirehoseCodec.encode(message);
        assertThat(FirehoseCodec.encode(FirehoseCodec.decode(encoded))).isEqualTo(encoded);
        if (message instanceof SequencedMessage m) {
            assertThat(stamped).as("a frame that decodes can be stamped").isNotNull();
            assertThat(((SequencedMessage) FirehoseCodec.decode(stamped)).seq()).isEqualTo(42);
            // stamping back the original seq gives the original message
            assertThat(FirehoseCodec.encode(FirehoseCodec.decode(SeqStamp.withSeq(stamped, m.seq()))))
                    .isEqualTo(encoded);
        }
    }
}
