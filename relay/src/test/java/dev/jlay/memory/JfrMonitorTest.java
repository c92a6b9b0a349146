package dev.jlay.memory;

import dev.jlay.metrics.MetricRegistry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import jdk.jfr.consumer.RecordingFile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class JfrMonitorTest {
    @TempDir
    Path dir;

    @Test
    void streamFeedsGcAllocationAndThreadMetricsAndDumpsTheLastMinutes() throws Exception {
        var metrics = new MetricRegistry();
        try (var monitor = new JfrMonitor(metrics, Duration.ofMinutes(5), 50_000_000)) {
            monitor.start();
            List<byte[]> garbage = new ArrayList<>();
            await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200)).until(() -> {
                for (int i = 0; i < 2000; i++) {
                    garbage.add(new byte[4096]);
                }
                garbage.clear();
                System.gc();
                String text = metrics.render();
                return text.contains("relay_jvm_gc_causes_total{cause=\"system_gc\"}")
                        && !text.contains("relay_jvm_threads 0\n")
                        && text.contains("relay_nmt_committed_bytes{category=\"java_heap\"}")
                        && monitor.topAllocatingClasses(5).stream().anyMatch(e -> e.getKey().equals("byte[]"));
            });
            String text = metrics.render();
            assertThat(text).contains("relay_jvm_gc_pause_seconds_total{gc=\"g1full\"}")
                    .contains("relay_jvm_gc_collections_total{gc=\"g1full\"}");
            assertThat(gcLabels(text)).as("JFR names the collectors as the MXBean table says: no series beyond "
                    + "those registered at start").isEqualTo(JfrMonitor.collectorLabels());
            assertThat(text).contains("relay_nmt_committed_bytes{category=\"java_heap\"}");
            assertThat(text).contains("relay_jvm_allocation_sampled_bytes_total{stage=\"unattributed\"}");

            Path dump = dir.resolve("last.jfr");
            assertThat(monitor.dumpLast(Duration.ofMinutes(10), dump)).isTrue();
            var events = RecordingFile.readAllEvents(dump);
            var types = events.stream().map(e -> e.getEventType().getName()).collect(Collectors.toSet());
            // what /admin/jfr promises (docs/memory.md, "What the JFR recording holds")
            assertThat(types).contains("jdk.GarbageCollection", "jdk.GCHeapSummary", "jdk.ObjectAllocationSample",
                    "jdk.JavaThreadStatistics", "jdk.NativeMemoryUsage");
            assertThat(events.stream().filter(e -> e.getEventType().getName().equals("jdk.ObjectAllocationSample")))
                    .as("allocation samples carry the allocating stack (compiler threads have none)")
                    .anyMatch(e -> e.getStackTrace() != null && e.getStackTrace().getFrames().stream()
                            .anyMatch(f -> f.getMethod().getType().getName().startsWith(JfrMonitorTest.class.getName())));
            // and what the trimmed settings leave out: method samples, idle parking, the environment (admin token)
            assertThat(types).doesNotContain("jdk.ExecutionSample", "jdk.NativeMethodSample", "jdk.ThreadPark",
                    "jdk.JavaMonitorWait", "jdk.SocketRead", "jdk.GCPhaseParallel", "jdk.OldObjectSample",
                    "jdk.InitialEnvironmentVariable", "jdk.SystemProcess");
        }
    }

    @Test
    void theSeriesTheDashboardsReadAreThereBeforeTheFirstEvent() throws Exception {
        var metrics = new MetricRegistry();
        try (var monitor = new JfrMonitor(metrics, Duration.ofMinutes(1), 16L << 20)) {
            assertThat(metrics.render()).as("nothing registered that nothing will feed (memory.jfr: false)")
                    .doesNotContain("relay_jvm_gc_collections_total{", "relay_nmt_committed_bytes{")
                    .contains("relay_nmt_enabled 1\n");
            monitor.start();
            String text = metrics.render();
            assertThat(JfrMonitor.collectorLabels()).as("G1, as the suite and the appliance run")
                    .containsExactlyInAnyOrder("g1new", "g1old", "g1full");
            assertThat(gcLabels(text)).isEqualTo(JfrMonitor.collectorLabels());
            for (String gc : JfrMonitor.collectorLabels()) {
                assertThat(text).contains("relay_jvm_gc_pause_seconds_total{gc=\"" + gc + "\"} ");
            }
            // seeded from the summary taken at start, in JFR's categories (stacks apart from "thread")
            assertThat(nmtCategories(text)).contains("java_heap", "class", "thread", "thread_stack", "code", "gc",
                    "metaspace");
            assertThat(text).doesNotContain("relay_nmt_committed_bytes{category=\"java_heap\"} 0\n");
        }
    }

    @Test
    void withoutNmtTheSummarySeedsNothing() throws Exception {
        var metrics = new MetricRegistry();
        try (var monitor = new JfrMonitor(metrics, Duration.ofMinutes(1), 16L << 20)) {
            monitor.seedNativeMemory(NativeMemoryTracking.parse("Native memory tracking is not enabled\n"));
            assertThat(metrics.render()).doesNotContain("relay_nmt_committed_bytes{");
        }
    }

    private static Set<String> gcLabels(String text) {
        return labels(text, "relay_jvm_gc_collections_total{gc=\"");
    }

    private static Set<String> nmtCategories(String text) {
        return labels(text, "relay_nmt_committed_bytes{category=\"");
    }

    private static Set<String> labels(String text, String prefix) {
        return text.lines().filter(l -> l.startsWith(prefix))
                .map(l -> l.substring(prefix.length(), l.indexOf('"', prefix.length())))
                .collect(Collectors.toCollection(TreeSet::new));
    }

    @Test
    void theSettingsKeepWhatTheStreamReadsAndDropTheDefaultSetsCostlyEvents() throws Exception {
        Map<String, String> s = JfrMonitor.settings().getSettings();
        for (String consumed : List.of("jdk.GarbageCollection", "jdk.GCHeapSummary", "jdk.ObjectAllocationSample",
                "jdk.JavaThreadStatistics", "jdk.NativeMemoryUsage")) {
            assertThat(s).as(consumed).containsEntry(consumed + "#enabled", "true");
        }
        assertThat(s).containsEntry("jdk.ObjectAllocationSample#throttle", JfrMonitor.ALLOCATION_SAMPLES_PER_SECOND + "/s")
                .containsEntry("jdk.ObjectAllocationSample#stackTrace", "true");
        for (String dropped : List.of("jdk.ExecutionSample", "jdk.NativeMethodSample", "jdk.ThreadPark",
                "jdk.ThreadSleep", "jdk.JavaMonitorWait", "jdk.FileRead", "jdk.FileWrite", "jdk.SocketRead",
                "jdk.SocketWrite", "jdk.JavaExceptionThrow", "jdk.OldObjectSample", "jdk.GCPhaseParallel",
                "jdk.InitialEnvironmentVariable", "jdk.SystemProcess", "jdk.ThreadDump")) {
            assertThat(s.getOrDefault(dropped + "#enabled", "false")).as(dropped).isEqualTo("false");
        }
    }

    @Test
    void ourPackagesMapToStages() {
        assertThat(StageOfCode.of("dev.jlay.atproto.cbor.DagCborReader")).isEqualTo(Stage.DECODE);
        assertThat(StageOfCode.of("dev.jlay.atproto.mst.MstInversion")).isEqualTo(Stage.MST);
        assertThat(StageOfCode.of("dev.jlay.eventlog.Sequencer")).isEqualTo(Stage.SEQUENCE);
        assertThat(StageOfCode.of("dev.jlay.downstream.Consumer")).isEqualTo(Stage.BROADCAST);
        assertThat(StageOfCode.of("java.lang.String")).isNull();
        assertThat(JfrMonitor.readable("[B")).isEqualTo("byte[]");
        assertThat(JfrMonitor.readable("[[Ljava.lang.String;")).isEqualTo("java.lang.String[][]");
    }
}
