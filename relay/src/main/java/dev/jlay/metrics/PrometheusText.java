package dev.jlay.metrics;

import dev.jlay.memory.BoundedBuffer;
import dev.jlay.memory.StageMeter;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;

/** The Prometheus text exposition format (0.0.4): what {@link MetricRegistry#render} writes. */
final class PrometheusText {
    private PrometheusText() {
    }

    /** One family: its header and every series, the overflow one last. */
    static void family(StringBuilder out, MetricFamily f) {
        header(out, f.name(), f.help(), f.type());
        if (f.collector() != null) {
            collected(out, f);
        } else if (f.type() == MetricType.HISTOGRAM) {
            for (var s : f.series()) {
                histogram(out, f.name(), s.labels(), f.bounds(), s.histogram().counts(), s.histogram().sum());
            }
            if (!f.folded().isEmpty()) {
                var folded = SeriesFolding.foldedHistogram(f.folded(), f.bounds().length + 1);
                histogram(out, f.name(), f.folded().getFirst().labels().overflow(), f.bounds(), folded.counts(),
                        folded.sum());
            }
        } else {
            for (var s : f.series()) {
                sample(out, f.name(), labels(s.labels(), null, null), s.value().getAsDouble());
            }
            if (!f.folded().isEmpty()) {
                sample(out, f.name(), labels(f.folded().getFirst().labels().overflow(), null, null),
                        SeriesFolding.foldedValue(f.folded()));
            }
        }
    }

    private static void collected(StringBuilder out, MetricFamily f) {
        var c = f.collector();
        var samples = new ArrayList<SeriesFolding.CollectedSample>();
        try {
            c.collector().collect((labelValue, value) ->
                    samples.add(new SeriesFolding.CollectedSample(labelValue, value)));
        } catch (RuntimeException e) {
            return; // a failing source shows as missing series, never as a failed scrape
        }
        for (var s : SeriesFolding.bound(samples, c.kind(), c.maxSeries(), c.fold())) {
            sample(out, f.name(), "{" + c.label() + "=\"" + escape(s.labelValue()) + "\"}", s.value());
        }
    }

    /** The registry's own bound keeping: series folded into overflow, and dropped beyond that. */
    static void foldingTotals(StringBuilder out, long folded, long dropped) {
        header(out, "relay_metrics_folded_series",
                "Series registered beyond a family's bound, summed into its overflow series.", MetricType.GAUGE);
        sample(out, "relay_metrics_folded_series", "", folded);
        header(out, "relay_metrics_dropped_series",
                "Series registered beyond a family's bound and its fold limit (not exported).", MetricType.GAUGE);
        sample(out, "relay_metrics_dropped_series", "", dropped);
    }

    /** The stage meters' counters; {@code unattributedBytes} is the allocation no stage counted. */
    static void stages(StringBuilder out, StageMeter[] stages, long unattributedBytes) {
        header(out, "relay_stage_events_total", "Events processed by each pipeline stage.", MetricType.COUNTER);
        for (var m : stages) {
            sample(out, "relay_stage_events_total", stageLabel(m), m.events());
        }
        header(out, "relay_stage_seconds_total", "Time spent in each pipeline stage.", MetricType.COUNTER);
        for (var m : stages) {
            sample(out, "relay_stage_seconds_total", stageLabel(m), m.nanos() / 1e9);
        }
        header(out, "relay_stage_allocated_bytes_total",
                "Heap bytes allocated in each pipeline stage (exact on platform threads; on virtual threads "
                        + "from JFR allocation-sample weights); stage unattributed: the rest of the process's "
                        + "allocation.", MetricType.COUNTER);
        for (var m : stages) {
            sample(out, "relay_stage_allocated_bytes_total", stageLabel(m), m.allocatedBytes());
        }
        sample(out, "relay_stage_allocated_bytes_total", "{stage=\"" + MetricRegistry.UNATTRIBUTED + "\"}",
                unattributedBytes);
        header(out, "relay_stage_unmetered_events_total",
                "Events whose allocation could not be measured exactly (ran on a virtual thread).",
                MetricType.COUNTER);
        for (var m : stages) {
            sample(out, "relay_stage_unmetered_events_total", stageLabel(m), m.unmeteredEvents());
        }
    }

    private static String stageLabel(StageMeter m) {
        return "{stage=\"" + m.stage().label() + "\"}";
    }

    /** Entries, capacity and bytes of every bounded structure. */
    static void buffers(StringBuilder out, List<BoundedBuffer> buffers) {
        header(out, "relay_buffer_entries", "Entries held by each bounded structure.", MetricType.GAUGE);
        for (var b : buffers) {
            sample(out, "relay_buffer_entries", bufferLabel(b), b.entries());
        }
        header(out, "relay_buffer_capacity", "Capacity (entries) of each bounded structure.", MetricType.GAUGE);
        for (var b : buffers) {
            sample(out, "relay_buffer_capacity", bufferLabel(b), b.capacity());
        }
        header(out, "relay_buffer_bytes", "Estimated bytes held by each bounded structure.", MetricType.GAUGE);
        for (var b : buffers) {
            sample(out, "relay_buffer_bytes", bufferLabel(b), b.bytes());
        }
        header(out, "relay_buffer_capacity_bytes", "Byte bound of each structure bounded in bytes as well.",
                MetricType.GAUGE);
        for (var b : buffers) {
            long bound = b.byteCapacity();
            if (bound > 0) sample(out, "relay_buffer_capacity_bytes", bufferLabel(b), bound);
        }
    }

    private static String bufferLabel(BoundedBuffer b) {
        return "{buffer=\"" + escape(b.bufferName()) + "\"}";
    }

    /** Cumulative buckets from per-bucket counts, then {@code _sum} and {@code _count}. */
    private static void histogram(StringBuilder out, String name, MetricLabels labels, double[] bounds,
                                  long[] counts, double sum) {
        long cumulative = 0;
        for (int i = 0; i < bounds.length; i++) {
            cumulative += counts[i];
            sample(out, name + "_bucket", labels(labels, "le", le(bounds[i])), cumulative);
        }
        cumulative += counts[bounds.length];
        sample(out, name + "_bucket", labels(labels, "le", "+Inf"), cumulative);
        String plain = labels(labels, null, null);
        sample(out, name + "_sum", plain, sum);
        sample(out, name + "_count", plain, cumulative);
    }

    /** {@code {a="x",b="y"}}, with an extra (unescaped) label such as {@code le}; empty for no labels. */
    static String labels(MetricLabels labels, String extraName, String extraValue) {
        var names = labels.names();
        var values = labels.values();
        if (names.length == 0 && extraName == null) {
            return "";
        }
        var b = new StringBuilder().append('{');
        for (int i = 0; i < names.length; i++) {
            if (i > 0) b.append(',');
            b.append(names[i]).append("=\"").append(escape(values[i])).append('"');
        }
        if (extraName != null) {
            if (names.length > 0) b.append(',');
            b.append(extraName).append("=\"").append(extraValue).append('"');
        }
        return b.append('}').toString();
    }

    /** A bucket bound as Prometheus writes it: shortest plain decimal (0.00001, not 1.0E-5). */
    private static String le(double bound) {
        return BigDecimal.valueOf(bound).stripTrailingZeros().toPlainString();
    }

    static String escape(String v) {
        return v.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n");
    }

    private static void header(StringBuilder out, String name, String help, MetricType type) {
        out.append("# HELP ").append(name).append(' ')
                .append(help.replace("\\", "\\\\").replace("\n", "\\n")).append('\n');
        out.append("# TYPE ").append(name).append(' ').append(type.text).append('\n');
    }

    /** Integral values without a decimal point (exact counts stay readable), else Java's shortest repr. */
    private static void sample(StringBuilder out, String name, String labels, double value) {
        out.append(name).append(labels).append(' ');
        if (value == Math.rint(value) && Math.abs(value) < 1e15) {
            out.append((long) value);
        } else if (Double.isNaN(value)) {
            out.append("NaN");
        } else if (Double.isInfinite(value)) {
            out.append(value > 0 ? "+Inf" : "-Inf");
        } else {
            out.append(value);
        }
        out.append('\n');
    }
}
