package dev.jlay.metrics;


import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.jlay.memory.BoundedBuffer;
import dev.jlay.memory.Stage;
import dev.jlay.memory.ThreadAllocation;
import dev.jlay.testing.Promtool;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class MetricRegistryTest {
    private static BoundedBuffer buffer(String name, long entries, long capacity, long bytes) {
        return BoundedBuffer.of(name, () -> entries, () -> capacity, () -> bytes);
    }

    @Test
    void aSlowSupplierDelaysItsScrapeButNoRegistration() throws Exception {
        var metrics = new MetricRegistry();
        var inSupplier = new CountDownLatch(1);
        var release = new CountDownLatch(1);
        metrics.gauge("relay_slow", "A supplier that blocks.", () -> {
            inSupplier.countDown();
            try {
                release.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return 1;
        });
        // threads of their own: the common pool may have one thread, which the scrape would hold
        var threads = java.util.concurrent.Executors.newVirtualThreadPerTaskExecutor();
        var scrape = CompletableFuture.supplyAsync(metrics::render, threads);
        try {
            assertThat(inSupplier.await(5, TimeUnit.SECONDS)).isTrue();
            var registered = CompletableFuture.runAsync(
                    () -> metrics.counter("relay_later_total", "Later.").add(2), threads);
            registered.get(1, TimeUnit.SECONDS); // the scrape holds no lock while it reads suppliers
            metrics.remove("relay_slow", null, null);
        } finally {
            release.countDown();
        }
        assertThat(scrape.get(5, TimeUnit.SECONDS)).contains("relay_slow 1\n");
        assertThat(metrics.render()).contains("relay_later_total 2\n");
        threads.close();
    }

    @Test
    void rendersEveryKindOfMetricInPrometheusTextFormat() throws Exception {
        var metrics = new MetricRegistry();
        var frames = metrics.counter("relay_test_frames_total", "Frames.", "result", "accepted");
        metrics.counter("relay_test_frames_total", "Frames.", "result", "dropped").add(2);
        frames.add(5);
        metrics.gauge("relay_test_connections", "Connections.").set(3);
        metrics.gauge("relay_test_ratio", "A callback gauge.", () -> 0.25);
        metrics.register(buffer("test_queue", 7, 100, 4096));
        metrics.register(new dev.jlay.memory.BoundedBuffer() { // entries vary in size: bounded in bytes too
            @Override
            public String bufferName() {
                return "test_frames";
            }

            @Override
            public long entries() {
                return 2;
            }

            @Override
            public long capacity() {
                return 1000;
            }

            @Override
            public long bytes() {
                return 5000;
            }

            @Override
            public long byteCapacity() {
                return 65536;
            }
        });
        metrics.stage(Stage.DECODE).add(10, 2_000_000_000L, 1234);

        var text = metrics.render();
        assertThat(text).contains("""
                # HELP relay_test_frames_total Frames.
                # TYPE relay_test_frames_total counter
                relay_test_frames_total{result="accepted"} 5
                relay_test_frames_total{result="dropped"} 2
                """);
        assertThat(text).contains("relay_test_connections 3\n", "relay_test_ratio 0.25\n",
                "relay_buffer_entries{buffer=\"test_queue\"} 7\n",
                "relay_buffer_capacity{buffer=\"test_queue\"} 100\n",
                "relay_buffer_bytes{buffer=\"test_queue\"} 4096\n",
                "relay_buffer_capacity_bytes{buffer=\"test_frames\"} 65536\n",
                "relay_stage_events_total{stage=\"decode\"} 10\n",
                "relay_stage_seconds_total{stage=\"decode\"} 2\n",
                "relay_stage_allocated_bytes_total{stage=\"decode\"} 1234\n",
                "relay_stage_events_total{stage=\"resolver\"} 0\n");
        assertThat(text).as("no byte bound, no series").doesNotContain("relay_buffer_capacity_bytes{buffer=\"test_queue\"}");
        for (var stage : Stage.values()) {
            assertThat(text).contains("relay_stage_events_total{stage=\"" + stage.label() + "\"}");
        }
        Promtool.assertCheckMetricsPasses(text);
    }

    @Test
    void refusesNamesAndCardinalityThatWouldMakeBadMetrics() {
        var metrics = new MetricRegistry();
        assertThatThrownBy(() -> metrics.counter("relay_frames", "no _total")).isInstanceOf(
                IllegalArgumentException.class);
        assertThatThrownBy(() -> metrics.gauge("frames", "no prefix")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> metrics.gauge("relay_Frames", "camel")).isInstanceOf(
                IllegalArgumentException.class);
        assertThatThrownBy(() -> metrics.gauge("relay_x", " ")).isInstanceOf(IllegalArgumentException.class);
        metrics.gauge("relay_x", "help", "k", "v");
        assertThatThrownBy(() -> metrics.gauge("relay_x", "help", "k", "v")).isInstanceOf(
                IllegalArgumentException.class);
        assertThatThrownBy(() -> metrics.counter("relay_x_total", "help", "k", "did:plc:" + "x".repeat(80)))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> metrics.gauge("relay_x", "help", "other_label", "v")).as("one family, one label set")
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> metrics.gauge("relay_gauge_total", "help")).isInstanceOf(
                IllegalArgumentException.class);
        assertThatThrownBy(() -> metrics.histogram("relay_h", "help", new double[] {1, 1}))
                .isInstanceOf(IllegalArgumentException.class);
        metrics.register(buffer("q", 0, 1, 0));
        assertThatThrownBy(() -> metrics.register(buffer("q", 0, 1, 0))).isInstanceOf(
                IllegalArgumentException.class);
    }

    @Test
    void stageMeterMeasuresAllocationOnPlatformThreadsOnly() throws Exception {
        var metrics = new MetricRegistry();
        var meter = metrics.stage(Stage.VALIDATE);
        var platform = Thread.ofPlatform().start(() -> {
            long t0 = System.nanoTime();
            long a0 = ThreadAllocation.currentThreadBytes();
            byte[][] keep = new byte[100][];
            for (int i = 0; i < 100; i++) {
                keep[i] = new byte[10_000];
            }
            meter.record(100, t0, a0);
            assertThat(keep[99]).hasSize(10_000);
        });
        platform.join();
        assertThat(meter.events()).isEqualTo(100);
        assertThat(meter.allocatedBytes()).isBetween(1_000_000L, 1_100_000L);
        assertThat(meter.nanos()).isGreaterThan(0);

        var done = new CompletableFuture<Long>();
        Thread.ofVirtual().start(() -> {
            long t0 = System.nanoTime();
            long a0 = ThreadAllocation.currentThreadBytes();
            meter.record(5, t0, a0);
            done.complete(a0);
        });
        assertThat(done.get()).isEqualTo(-1);
        assertThat(meter.events()).isEqualTo(105);
        assertThat(meter.unmeteredEvents()).isEqualTo(5);
        assertThat(meter.allocatedBytes()).isBetween(1_000_000L, 1_100_000L);
    }
}
