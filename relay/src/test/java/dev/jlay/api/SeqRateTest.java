package dev.jlay.api;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class SeqRateTest {
    private static final long S = 1_000_000_000L;

    @Test
    void rateOverTheOldestSampleInTheLastMinute() {
        var r = new SeqRate();
        assertThat(r.sample(0, 100)).isEmpty(); // one view: nothing to compare with
        assertThat(r.sample(S / 2, 150)).isEmpty(); // half a second later: too close, not kept
        assertThat(r.size()).isEqualTo(1);
        assertThat(r.sample(10 * S, 1_100).getAsDouble()).isEqualTo(100.0);
        assertThat(r.sample(20 * S, 1_100).getAsDouble()).isEqualTo(50.0);
        // samples older than a minute leave: the rate follows the recent past
        assertThat(r.sample(75 * S, 1_650).getAsDouble()).isEqualTo((1_650 - 1_100) / 55.0);
    }

    @Test
    void boundedInSamples() {
        var r = new SeqRate();
        for (int i = 0; i < 1_000; i++) r.sample(i * S / 10 * 11, i);
        assertThat(r.size()).isLessThanOrEqualTo(SeqRate.MAX_SAMPLES);
    }
}
