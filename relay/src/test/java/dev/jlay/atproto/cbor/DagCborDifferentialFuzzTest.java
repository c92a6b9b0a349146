package dev.jlay.atproto.cbor;

import static org.assertj.core.api.Assertions.assertThat;

import dev.jlay.atproto.ProtocolException;
import dev.jlay.atproto.json.AtprotoJson;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Differential fuzzing: the Jackson-based decoder and the hand-written reference reader must
 * agree on every mutated input (both reject, or both accept with equal values).
 */
class DagCborDifferentialFuzzTest {
    @Test
    void jacksonDecoderAgreesWithReferenceOnMutatedInputs() {
        var r = new Random(0xd1ffL);
        var gen = new RandomValues(r);
        int accepted = 0;
        int rejected = 0;
        for (int i = 0; i < 30_000; i++) {
            byte[] b = DagCbor.encode(gen.value(0));
            if (b.length > 0) {
                int at = r.nextInt(b.length);
                switch (r.nextInt(4)) {
                    case 0 -> b[at] ^= (byte) (1 << r.nextInt(8));
                    case 1 -> b[at] = (byte) r.nextInt(256);
                    case 2 -> b = Arrays.copyOf(b, at);
                    default -> { }
                }
            }
            Object ours;
            Object reference;
            try {
                ours = DagCbor.decode(b);
            } catch (ProtocolException e) {
                ours = e;
            }
            try {
                reference = ReferenceDecoder.decode(b);
            } catch (ProtocolException e) {
                reference = e;
            }
            String hex = java.util.HexFormat.of().formatHex(b);
            if (ours instanceof ProtocolException || reference instanceof ProtocolException) {
                assertThat(ours instanceof ProtocolException).as("both reject %s (ours=%s ref=%s)", hex, ours, reference)
                        .isEqualTo(reference instanceof ProtocolException);
                rejected++;
            } else {
                assertThat(AtprotoJson.toJson(ours)).as(hex).isEqualTo(AtprotoJson.toJson(reference));
                assertThat(DagCbor.encode(ours)).as("accepted input is canonical: %s", hex).isEqualTo(b);
                accepted++;
            }
        }
        assertThat(accepted).isPositive();
        assertThat(rejected).isPositive();
    }
}
