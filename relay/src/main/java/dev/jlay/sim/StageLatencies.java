package dev.jlay.sim;

import java.util.Map;
import java.util.TreeMap;

/**
 * Per-stage latency quantiles between two scrapes of the relay's
 * {@code relay_stage_latency_seconds} histogram: the bucket counts of the window (after minus
 * before), each quantile read as the upper bound of the bucket it falls in (Prometheus'
 * histogram_quantile without the interpolation, so it never claims better than the bucket).
 */
public final class StageLatencies {
    public static final String FAMILY = "relay_stage_latency_seconds";

    /** One stage over the window: events and p50/p99 upper bounds in milliseconds (Infinity past the last bound). */
    public record Window(long events, double p50Millis, double p99Millis) {}

    private StageLatencies() {
    }

    public static Map<String, Window> between(MetricsText before, MetricsText after) {
        var out = new TreeMap<String, Window>();
        if (after == null) return out;
        var b = before == null ? Map.<String, TreeMap<Double, Double>>of() : before.buckets(FAMILY, "stage");
        after.buckets(FAMILY, "stage").forEach((stage, cumulative) -> {
            var start = b.getOrDefault(stage, new TreeMap<>());
            var window = new TreeMap<Double, Double>();
            cumulative.forEach((le, c) -> window.put(le, c - start.getOrDefault(le, 0.0)));
            double total = window.isEmpty() ? 0 : window.lastEntry().getValue();
            if (total > 0) out.put(stage, new Window(Math.round(total), quantile(window, total, 0.5),
                    quantile(window, total, 0.99)));
        });
        return out;
    }

    private static double quantile(TreeMap<Double, Double> cumulative, double total, double q) {
        double rank = Math.max(1, Math.ceil(q * total));
        for (var e : cumulative.entrySet()) {
            if (e.getValue() >= rank) return e.getKey() * 1000;
        }
        return Double.POSITIVE_INFINITY;
    }
}
