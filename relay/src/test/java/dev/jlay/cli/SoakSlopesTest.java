package dev.jlay.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

/** The soak's per-owner slopes: least squares over the samples past the warm-up, not two readings. */
class SoakSlopesTest {

    @Test
    void aSawtoothHasNoSlopeAndARiseHasItsOwn() {
        var samples = new ObjectMapper().createArrayNode();
        for (long frames = 0; frames <= 5_000_000; frames += 40_000) {
            var bytes = samples.addObject().put("frames", frames).putObject("bytes");
            bytes.put("java_heap", 1L << 30);
            // a memtable: fills over 400,000 frames, flushes, starts again
            bytes.put("rocksdb_memtables", (frames % 400_000) * 80);
            // a leak of 2 bytes a frame that starts only after the warm-up
            bytes.put("malloc_other", 50_000_000 + 2 * Math.max(0, frames - 1_000_000));
        }
        samples.addObject().put("frames", 5_000_001).putObject("bytes").put("java_heap", 1L << 30);

        var slopes = SoakCommand.ownerSlopes(samples, 1_000_000);

        assertThat(slopes.get("java_heap").asDouble()).isZero();
        assertThat(slopes.get("rocksdb_memtables").asDouble()).isCloseTo(0, within(1.0));
        assertThat(slopes.get("malloc_other").asDouble()).isCloseTo(2.0, within(0.01));
        // owners the last sample lacks are still fitted, over the samples that have them
        assertThat(slopes.size()).isEqualTo(3);
    }

    @Test
    void noSamplesNoSlopes() {
        assertThat(SoakCommand.ownerSlopes(new ObjectMapper().createArrayNode(), 0).size()).isZero();
    }
}
