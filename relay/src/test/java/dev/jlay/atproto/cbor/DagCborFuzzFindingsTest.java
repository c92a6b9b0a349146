package dev.jlay.atproto.cbor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import org.junit.jupiter.api.Test;

/** Regression tests for what coverage-guided fuzzing (DagCborGuidedFuzzTest) found in the decoder. */
class DagCborFuzzFindingsTest {
    /**
     * Finding: the decoder sized each array and map by its declared count (up to 131,072) before
     * reading an element, so 3 bytes of head per level, 32 levels deep, made it allocate some
     * 16 MB for a 200-byte input. Counts the remaining bytes cannot hold are now refused up front.
     */
    @Test
    void declaredCountsDoNotBuyAllocation() {
        var nested = new ByteArrayOutputStream();
        for (int i = 0; i < DagCbor.MAX_DEPTH; i++) {
            nested.writeBytes(new byte[] {(byte) 0x9a, 0x00, 0x02, 0x00, 0x00}); // array of 131,072
        }
        nested.write(0x01);
        byte[] input = nested.toByteArray();
        DagCborGuidedFuzzTest.allocatedDecoding(input); // warm up class loading
        assertThat(DagCborGuidedFuzzTest.allocatedDecoding(input)).isLessThan(256 * 1024);
        assertThatThrownBy(() -> DagCbor.decode(input)).isInstanceOf(CborException.class)
                .hasMessageContaining("more elements than bytes left");
        // a map needs two bytes per entry at least
        assertThatThrownBy(() -> DagCbor.decode(new byte[] {(byte) 0xa2, 0x61, 0x61, 0x01}))
                .isInstanceOf(CborException.class).hasMessageContaining("more elements than bytes left");
        // a count the input does hold still decodes
        assertThat(DagCbor.decode(new byte[] {(byte) 0x82, 0x01, 0x02})).isEqualTo(java.util.List.of(1L, 2L));
    }
}
