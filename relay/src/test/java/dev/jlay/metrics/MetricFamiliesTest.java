package dev.jlay.metrics;



import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.jlay.memory.BoundedBuffer;
import dev.jlay.memory.Stage;
import dev.jlay.testing.Promtool;
import org.assertj.core.data.Offset;
import org.junit.jupiter.api.Test;

/** Two-label series, histograms, collectors and the series bound of {@link MetricRegistry}. */
class MetricFamiliesTest {

    @Test
    void seriesBeyondTheBoundAreFoldedIntoOneOverflowSeriesNotRefused() throws Exception {
        var metrics = new MetricRegistry();
        for (int i = 0; i < MetricRegistry.MAX_SERIES_PER_FAMILY; i++) {
            metrics.counter("relay_many_total", "help", "host", "h" + i).increment();
        }
        for (int i = 0; i < 10; i++) {
            metrics.counter("relay_many_total", "help", "host", "late" + i).add(3);
        }
        int wide = MetricRegistry.MAX_SERIES_PER_FAMILY + MetricRegistry.MAX_FOLDED_PER_FAMILY + 5;
        for (int i = 0; i < wide; i++) {
            metrics.gauge("relay_wide", "help", "a", "x" + i, "b", "y", () -> 1);
        }
        var text = metrics.render();
        assertThat(text.lines().filter(l -> l.startsWith("relay_many_total{")))
                .hasSize(MetricRegistry.MAX_SERIES_PER_FAMILY + 1);
        assertThat(text).contains("relay_many_total{host=\"overflow\"} 30\n",
                "relay_wide{a=\"overflow\",b=\"overflow\"} " + MetricRegistry.MAX_FOLDED_PER_FAMILY + "\n",
                "relay_metrics_folded_series " + (10 + MetricRegistry.MAX_FOLDED_PER_FAMILY) + "\n",
                "relay_metrics_dropped_series 5\n");
        Promtool.assertCheckMetricsPasses(text);
    }

    @Test
    void twoLabelSeriesAndHistogramsRenderAsPrometheusExpects() throws Exception {
        var metrics = new MetricRegistry();
        metrics.counter("relay_test_frames_total", "Frames.", "type", "commit", "result", "accepted").add(7);
        metrics.counter("relay_test_frames_total", "Frames.", "type", "commit", "result", "dropped_bad_car")
                .increment();
        metrics.counter("relay_test_frames_total", "Frames.", "type", "sync", "result", "accepted", () -> 2);
        metrics.gauge("relay_test_pair", "Pair.", "a", "1", "b", "quote\"d").set(4);
        var latency = metrics.histogram("relay_test_latency_seconds", "Latency.", Histogram.LATENCY_SECONDS,
                "stage", "decode");
        metrics.histogram("relay_test_latency_seconds", "Latency.", Histogram.LATENCY_SECONDS, "stage", "mst");
        latency.observeNanos(7_000);        // 7 µs: first bucket
        latency.observeNanos(10_000);       // exactly 10 µs: still the first (le is inclusive)
        latency.observeNanos(3_000_000);    // 3 ms: le=0.005
        latency.observe(20.0);              // above every bound: +Inf only
        var text = metrics.render();
        assertThat(text).contains("""
                # TYPE relay_test_frames_total counter
                relay_test_frames_total{type="commit",result="accepted"} 7
                relay_test_frames_total{type="commit",result="dropped_bad_car"} 1
                relay_test_frames_total{type="sync",result="accepted"} 2
                """);
        assertThat(text).contains("relay_test_pair{a=\"1\",b=\"quote\\\"d\"} 4\n");
        assertThat(text).contains("# TYPE relay_test_latency_seconds histogram\n",
                "relay_test_latency_seconds_bucket{stage=\"decode\",le=\"0.00001\"} 2\n",
                "relay_test_latency_seconds_bucket{stage=\"decode\",le=\"0.0025\"} 2\n",
                "relay_test_latency_seconds_bucket{stage=\"decode\",le=\"0.005\"} 3\n",
                "relay_test_latency_seconds_bucket{stage=\"decode\",le=\"10\"} 3\n",
                "relay_test_latency_seconds_bucket{stage=\"decode\",le=\"+Inf\"} 4\n",
                "relay_test_latency_seconds_count{stage=\"decode\"} 4\n",
                "relay_test_latency_seconds_bucket{stage=\"mst\",le=\"+Inf\"} 0\n");
        assertThat(latency.sum()).isCloseTo(20.003017, Offset.offset(1e-9));
        assertThat(latency.count()).isEqualTo(4);
        assertThatThrownBy(() -> metrics.histogram("relay_test_latency_seconds", "Latency.", new double[] {1},
                "stage", "x")).as("one family, one set of bounds").isInstanceOf(IllegalArgumentException.class);
        Promtool.assertCheckMetricsPasses(text);
    }

    @Test
    void collectorsBoundOpenLabelSetsAtScrapeTime() throws Exception {
        var metrics = new MetricRegistry();
        metrics.collect("relay_test_host_frames_total", "Frames per host.", MetricRegistry.Kind.COUNTER, "host", 3,
                MetricRegistry.Fold.SUM, sink -> {
                    sink.sample("a.example", 10);
                    sink.sample("b.example", 20);
                    sink.sample("c.example", 30);
                    sink.sample("other", 5); // what the source itself folded (e.g. retired hosts)
                    sink.sample("d.example", 40);
                });
        metrics.collect("relay_test_lag_events", "Lag.", MetricRegistry.Kind.GAUGE, "consumer", 3, MetricRegistry.Fold.MAX,
                sink -> {
                    for (int i = 1; i <= 5; i++) {
                        sink.sample(Integer.toString(i), i * 10);
                    }
                });
        metrics.collect("relay_test_empty", "Nothing.", MetricRegistry.Kind.GAUGE, "consumer", 3, MetricRegistry.Fold.MAX,
                sink -> {});
        metrics.collect("relay_test_broken", "Throws.", MetricRegistry.Kind.GAUGE, "consumer", 3, MetricRegistry.Fold.MAX,
                sink -> {
                    throw new IllegalStateException("source down");
                });
        var text = metrics.render();
        assertThat(text).contains("""
                relay_test_host_frames_total{host="a.example"} 10
                relay_test_host_frames_total{host="b.example"} 20
                relay_test_host_frames_total{host="other"} 75
                """);
        assertThat(text).contains("""
                relay_test_lag_events{consumer="5"} 50
                relay_test_lag_events{consumer="4"} 40
                relay_test_lag_events{consumer="other"} 30
                """);
        assertThat(text).contains("# TYPE relay_test_empty gauge\n", "# TYPE relay_test_broken gauge\n");
        assertThatThrownBy(() -> metrics.counter("relay_test_host_frames_total", "x", "host", "z"))
                .isInstanceOf(IllegalArgumentException.class);
        Promtool.assertCheckMetricsPasses(text);
    }

    @Test
    void removedSeriesLeaveTheScrape() {
        var metrics = new MetricRegistry();
        metrics.gauge("relay_test_g", "G.", "consumer", "1", () -> 1);
        metrics.gauge("relay_test_g", "G.", "consumer", "2", () -> 2);
        assertThat(metrics.remove("relay_test_g", "consumer", "1")).isTrue();
        assertThat(metrics.remove("relay_test_g", "consumer", "1")).isFalse();
        assertThat(metrics.render()).doesNotContain("consumer=\"1\"").contains("relay_test_g{consumer=\"2\"} 2");
    }

    @Test
    void unattributedIsTheProcessAllocationNoStageCountedAndNeverGoesDown() {
        var metrics = new MetricRegistry();
        long first = metrics.unattributedBytes();
        assertThat(first).isPositive(); // JVM start-up alone allocated more than any stage of a new registry
        byte[][] keep = new byte[64][];
        for (int i = 0; i < keep.length; i++) {
            keep[i] = new byte[16_384]; // 1 MiB on this thread, in no stage
        }
        long second = metrics.unattributedBytes();
        assertThat(second - first).isGreaterThanOrEqualTo(1L << 20);
        metrics.stage(Stage.DECODE).add(1, 1, second + (1L << 30)); // a stage "claims" more than the process made
        assertThat(metrics.unattributedBytes()).as("monotonic").isGreaterThanOrEqualTo(second);
        assertThat(metrics.render()).contains("relay_stage_allocated_bytes_total{stage=\"unattributed\"} ");
        assertThat(keep[63]).hasSize(16_384);
    }
}
