package dev.jlay.memory;

import dev.jlay.metrics.MetricRegistry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

/**
 * A stage meter keeps one adder per figure: the event count is its latency histogram's count, and
 * the histogram's sum is the stage's nanoseconds (batches add their further events' time). The
 * rendered families keep their meaning.
 */
class StageMeterTest {

    private final MetricRegistry metrics = new MetricRegistry(true, () -> 0);
    private final StageMeter decode = metrics.stage(Stage.DECODE);

    @Test
    void chainedWindowsCountEventsTimeBytesAndLatencyOnce() {
        decode.record(1, 1_000, 10, 4_000, 110);       // 3 µs, 100 B
        decode.record(1, 4_000, 110, 6_000_000, 2110); // 5.996 ms, 2000 B
        assertThat(decode.events()).isEqualTo(2);
        assertThat(decode.latency().count()).isEqualTo(2);
        assertThat(decode.nanos()).isEqualTo(3_000 + 5_996_000);
        assertThat(decode.latency().sum()).isCloseTo((3_000 + 5_996_000) / 1e9, within(1e-15));
        assertThat(decode.allocatedBytes()).isEqualTo(2100);
        assertThat(decode.unmeteredEvents()).isZero();
        var text = metrics.render();
        assertThat(text).contains("relay_stage_events_total{stage=\"decode\"} 2\n",
                "relay_stage_seconds_total{stage=\"decode\"} 0.005999\n",
                "relay_stage_allocated_bytes_total{stage=\"decode\"} 2100\n",
                "relay_stage_latency_seconds_bucket{stage=\"decode\",le=\"0.00001\"} 1\n",
                "relay_stage_latency_seconds_bucket{stage=\"decode\",le=\"0.005\"} 1\n",
                "relay_stage_latency_seconds_bucket{stage=\"decode\",le=\"0.01\"} 2\n",
                "relay_stage_latency_seconds_sum{stage=\"decode\"} 0.005999\n",
                "relay_stage_latency_seconds_count{stage=\"decode\"} 2\n");
    }

    @Test
    void aBatchCountsItsTimeOnceInTheStageAndOncePerEventInTheLatency() {
        decode.record(4, 0, 0, 2_000_000, 400); // four events together for 2 ms
        assertThat(decode.events()).isEqualTo(4);
        assertThat(decode.nanos()).isEqualTo(2_000_000);
        assertThat(decode.latency().sum()).isCloseTo(4 * 0.002, within(1e-12));
        assertThat(metrics.render()).contains("relay_stage_latency_seconds_bucket{stage=\"decode\",le=\"0.0025\"} 4\n");
    }

    @Test
    void aMissingAllocationReadingCountsTheEventsAsUnmetered() {
        decode.record(1, 0, -1, 1_000, -1);
        decode.record(2, 0, 500, 1_000, -1);
        assertThat(decode.unmeteredEvents()).isEqualTo(3);
        assertThat(decode.allocatedBytes()).isZero();
        assertThat(decode.events()).isEqualTo(3);
    }

    @Test
    void figuresAddedFromElsewhereKeepTheSameSums() {
        decode.add(3, 3_000_000, 900);
        assertThat(decode.events()).isEqualTo(3);
        assertThat(decode.nanos()).isEqualTo(3_000_000);
        assertThat(decode.latency().sum()).isCloseTo(0.003, within(1e-12));
        assertThat(decode.allocatedBytes()).isEqualTo(900);
    }
}
