package dev.jlay.atproto.stream;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import org.junit.jupiter.api.Tag;

/**
 * Coverage-guided fuzzing (Jazzer) of the subscribeRepos frame codec. Contract: any bytes decode
 * or throw {@link FrameException}; a decoded known message encodes to a frame that decodes to
 * the same encoding (unknown fields are dropped once, then the form is fixed).
 * Without JAZZER_FUZZ this replays FirehoseCodecGuidedFuzzTestInputs/ (seeds and past findings).
 */
@Tag("fuzz")
class FirehoseCodecGuidedFuzzTest {
    @FuzzTest(maxDuration = "60s")
    void decode(byte[] input) {
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
    }
}
