package dev.jlay.atproto.cbor;

import static org.assertj.core.api.Assertions.assertThat;

import dev.jlay.atproto.json.AtprotoJson;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Round-trip and differential properties over seeded random data-model values. */
class DagCborPropertyTest {
    private static final long SEED = 0x5eed_cb04L;

    @Test
    void encodeDecodeRoundTripsCanonicalBytes() {
        var gen = new RandomValues(new Random(SEED));
        for (int i = 0; i < 5_000; i++) {
            Object v = gen.value(0);
            byte[] canonical = DagCbor.encode(v);
            Object decoded = DagCbor.decode(canonical);
            assertThat(DagCbor.encode(decoded)).as("iteration %d", i).isEqualTo(canonical);
            assertThat(AtprotoJson.toJson(decoded)).as("iteration %d", i).isEqualTo(AtprotoJson.toJson(v));
            assertThat(DagCbor.encode(ReferenceDecoder.decode(canonical))).as("reference, iteration %d", i)
                    .isEqualTo(canonical);
        }
    }

    @Test
    void jsonFormRoundTrips() {
        var gen = new RandomValues(new Random(SEED + 1));
        for (int i = 0; i < 5_000; i++) {
            var v = gen.map(0);
            byte[] canonical = DagCbor.encode(v);
            Object back = AtprotoJson.parse(AtprotoJson.write(v));
            assertThat(DagCbor.encode(back)).as("iteration %d", i).isEqualTo(canonical);
        }
    }
}
