package dev.jlay.sim;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

class LatencyHistogramTest {

    @Test
    void emptyReadsZero() {
        var h = new LatencyHistogram();
        assertThat(h.count()).isZero();
        assertThat(h.quantileMillis(0.5)).isZero();
        assertThat(h.maxMillis()).isZero();
    }

    @Test
    void percentilesWithinAThousandthAndTheExactMaximum() {
        var h = new LatencyHistogram();
        for (long ms = 1; ms <= 1000; ms++) {
            h.record(ms * 1000 + 7);
        }
        assertThat(h.count()).isEqualTo(1000);
        assertThat(h.quantileMillis(0.50)).isCloseTo(500.007, within(0.6));
        assertThat(h.quantileMillis(0.99)).isCloseTo(990.007, within(1.0));
        assertThat(h.quantileMillis(1.0)).isEqualTo(1000.007);
        assertThat(h.maxMillis()).isEqualTo(1000.007);
    }

    @Test
    void aStallOfMinutesIsRecordedNotClipped() {
        var h = new LatencyHistogram();
        h.record(-5); // a clock step: counted as zero
        h.record(10 * 60 * 1_000_000L);
        assertThat(h.count()).isEqualTo(2);
        assertThat(h.quantileMillis(0.99)).isCloseTo(600_000.0, within(600.0));
        assertThat(h.maxMillis()).isEqualTo(600_000.0);
    }
}
