package dev.jlay.metrics;

import java.util.ArrayList;
import java.util.List;

/**
 * A family as the registry holds it: its registered series (the first
 * {@link SeriesFolding#MAX_SERIES_PER_FAMILY}) and the ones folded into its overflow series, or,
 * for a family sampled at scrape time, its collector. The lists are mutable and guarded by the
 * registry's lock; {@link #snapshot} is what rendering reads, outside it.
 */
record MetricFamily(String name, String help, MetricType type, String[] labelNames, double[] bounds,
                    CollectorSpec collector, List<MetricSeries> series, List<MetricSeries> folded) {

    /** A family sampled at scrape time through {@link MetricRegistry#collect}. */
    record CollectorSpec(String label, MetricRegistry.Kind kind, int maxSeries, MetricRegistry.Fold fold,
                         MetricRegistry.Collector collector) {
    }

    static MetricFamily registered(String name, String help, MetricType type, String[] labelNames, double[] bounds) {
        return new MetricFamily(name, help, type, labelNames, bounds, null, new ArrayList<>(), new ArrayList<>());
    }

    static MetricFamily collected(String name, String help, MetricType type, CollectorSpec collector) {
        // empty lists, but mutable: remove() asks every family
        return new MetricFamily(name, help, type, new String[] {collector.label()}, null, collector,
                new ArrayList<>(), new ArrayList<>());
    }

    /** The family with its series lists as they are now, for rendering without the registry's lock. */
    MetricFamily snapshot() {
        return new MetricFamily(name, help, type, labelNames, bounds, collector, List.copyOf(series),
                List.copyOf(folded));
    }
}
