package dev.jlay.sim;

import static org.assertj.core.api.Assertions.assertThat;

import dev.jlay.metrics.MetricRegistry;
import dev.jlay.memory.Stage;
import org.junit.jupiter.api.Test;

/** Stage quantiles over a window come from the difference of two scrapes, never from the whole history. */
class StageLatenciesTest {

    @Test
    void quantilesCountOnlyTheEventsBetweenTheScrapes() {
        var metrics = new MetricRegistry();
        var validate = metrics.stage(Stage.VALIDATE);
        for (int i = 0; i < 1000; i++) validate.latency().observeNanos(2_000_000_000L); // 2 s: the cold start
        var before = MetricsText.parse(metrics.render());
        for (int i = 0; i < 990; i++) validate.latency().observeNanos(200_000L);      // 0.2 ms
        for (int i = 0; i < 10; i++) validate.latency().observeNanos(20_000_000L);    // 20 ms
        var after = MetricsText.parse(metrics.render());

        var w = StageLatencies.between(before, after).get("validate");
        assertThat(w.events()).isEqualTo(1000);
        assertThat(w.p50Millis()).isEqualTo(0.25);
        assertThat(w.p99Millis()).isEqualTo(0.25);
        var whole = StageLatencies.between(null, after).get("validate");
        assertThat(whole.events()).isEqualTo(2000);
        assertThat(whole.p99Millis()).isEqualTo(2500.0);
    }

    @Test
    void aDisabledStageMeterRecordsNothing() {
        var off = new MetricRegistry(false).stage(Stage.DECODE);
        off.record(5, System.nanoTime(), 0);
        off.add(3, 1000, 64);
        assertThat(off.events()).isZero();
        assertThat(off.allocatedBytes()).isZero();
        assertThat(off.latency().count()).isZero();
    }
}
