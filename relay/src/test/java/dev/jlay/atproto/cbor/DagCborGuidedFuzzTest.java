package dev.jlay.atproto.cbor;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import org.junit.jupiter.api.Tag;

/**
 * Coverage-guided fuzzing (Jazzer) of the DAG-CBOR decoder. Contract: any bytes either decode or
 * throw {@link CborException}; what decodes is canonical, so encoding it gives back the input.
 * Without JAZZER_FUZZ this replays DagCborGuidedFuzzTestInputs/ (seeds and past findings).
 */
@Tag("fuzz")
class DagCborGuidedFuzzTest {
    @FuzzTest(maxDuration = "60s")
    void decode(byte[] input) {
        Object value;
        try {
            value = DagCbor.decode(input);
        } catch (CborException e) {
            return;
        }
        assertThat(DagCbor.encode(value)).isEqualTo(input);
    }
}
