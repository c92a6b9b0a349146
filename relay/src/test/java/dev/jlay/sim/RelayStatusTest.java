package dev.jlay.sim;

import static org.assertj.core.api.Assertions.assertThat;

import dev.jlay.metrics.MetricRegistry;
import org.junit.jupiter.api.Test;

/** The demo's status line, from the relay's own metrics registry rendered as Prometheus text. */
class RelayStatusTest {

    @Test
    void readsRatesDropsAndRssFromTwoScrapes() {
        var metrics = new MetricRegistry();
        var accepted = metrics.counter("relay_frames_total", "frames", "result", "accepted");
        var badSig = metrics.counter("relay_frames_total", "frames", "result", "dropped_bad_signature");
        var oversize = metrics.counter("relay_upstream_dropped_total", "drops", "reason", "oversize");
        var in = metrics.counter("relay_upstream_messages_total", "in");
        var seq = metrics.gauge("relay_seq", "seq");
        metrics.gauge("relay_upstream_connections", "hosts", () -> 3);
        metrics.gauge("relay_process_resident_memory_bytes", "rss", () -> 300L << 20);

        var before = MetricsText.parse(metrics.render());
        in.add(200);
        accepted.add(190);
        badSig.add(4);
        oversize.add(1);
        seq.set(190);
        var after = MetricsText.parse(metrics.render());

        var s = RelayStatus.between(before, after, 2.0);
        assertThat(s.inPerSecond()).isEqualTo(100);
        assertThat(s.outPerSecond()).isEqualTo(95);
        assertThat(s.drops()).containsExactlyInAnyOrderEntriesOf(java.util.Map.of("bad_signature", 4L, "upstream_oversize", 1L));
        assertThat(s.line(4, 0)).isEqualTo(
                "hosts 3/4 | in 100/s | out 95/s | seq 190 | drops 5 (bad_signature=4 upstream_oversize=1) | rss 300 MiB");
    }

    @Test
    void parsesEscapedLabelsAndSkipsComments() {
        var m = MetricsText.parse("# HELP x y\n# TYPE x counter\nx{a=\"q\\\"uote\",b=\"2\"} 3.5\ny 7\nbroken{ line\n");
        assertThat(m.byLabel("x", "a")).containsEntry("q\"uote", 3.5);
        assertThat(m.sum("y")).isEqualTo(7);
        assertThat(m.has("z")).isFalse();
    }
}
