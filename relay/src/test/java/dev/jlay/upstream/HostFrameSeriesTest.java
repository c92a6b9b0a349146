package dev.jlay.upstream;

import static org.assertj.core.api.Assertions.assertThat;

import dev.jlay.metrics.MetricRegistry;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** relay_host_frames_total stays bounded and every series (other included) only goes up. */
class HostFrameSeriesTest {

    private static final class Reader implements HostFrameSeries.Source {
        final String host;
        long frames;

        Reader(String host) {
            this.host = host;
        }

        @Override
        public String host() {
            return host;
        }

        @Override
        public long framesReceived() {
            return frames;
        }
    }

    private static Map<String, Double> scrape(HostFrameSeries series, List<Reader> readers) {
        var out = new LinkedHashMap<String, Double>();
        series.sample(readers, out::put);
        return out;
    }

    @Test
    void boundedStableAndMonotonicUnderRandomChurn() {
        var random = new Random(20261126);
        int maxSeries = 5;
        var series = new HostFrameSeries(maxSeries);
        var readers = new ArrayList<Reader>();
        Map<String, Double> last = new LinkedHashMap<>();
        long retired = 0;
        int next = 0;
        for (int step = 0; step < 5_000; step++) {
            int action = random.nextInt(10);
            if (action < 2 && readers.size() < 20) {
                readers.add(new Reader("h" + next++ + ".example"));
            } else if (action == 2 && !readers.isEmpty()) {
                var gone = readers.remove(random.nextInt(readers.size()));
                if (!last.containsKey(gone.host)) {
                    retired += gone.frames; // it was in other: its frames stay there
                }
                series.stopped(gone);
            } else {
                for (var r : readers) {
                    r.frames += random.nextInt(5);
                }
            }
            var now = scrape(series, readers);
            assertThat(now.size()).isLessThanOrEqualTo(maxSeries);
            assertThat(now).containsKey(MetricRegistry.OTHER);
            for (var e : now.entrySet()) {
                Double before = last.get(e.getKey());
                if (before != null) {
                    assertThat(e.getValue()).as("series %s at step %d", e.getKey(), step)
                            .isGreaterThanOrEqualTo(before);
                }
            }
            long live = readers.stream().mapToLong(r -> r.frames).sum();
            assertThat(now.values().stream().mapToDouble(Double::doubleValue).sum())
                    .as("live readers plus retired folded ones, at step %d", step).isEqualTo((double) (live + retired));
            last = now;
        }
    }

    @Test
    void firstHostsKeepTheirSeriesAndLaterOnesAreSummed() {
        var series = new HostFrameSeries(3);
        var a = new Reader("a");
        var b = new Reader("b");
        var c = new Reader("c");
        var d = new Reader("d");
        a.frames = 1;
        b.frames = 2;
        c.frames = 3;
        d.frames = 4;
        var readers = new ArrayList<>(List.of(a, b, c, d));
        assertThat(scrape(series, readers)).containsExactly(Map.entry("a", 1.0), Map.entry("b", 2.0),
                Map.entry(MetricRegistry.OTHER, 7.0));
        readers.remove(c);
        series.stopped(c);
        readers.remove(a);
        series.stopped(a);
        var e = new Reader("e");
        e.frames = 10;
        readers.add(e);
        // a's slot goes to e (new), not to d (already in other); c's frames stay in other
        assertThat(scrape(series, readers)).containsExactly(Map.entry("b", 2.0), Map.entry("e", 10.0),
                Map.entry(MetricRegistry.OTHER, 7.0));
    }
}
