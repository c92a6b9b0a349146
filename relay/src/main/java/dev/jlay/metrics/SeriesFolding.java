package dev.jlay.metrics;

import java.util.ArrayList;
import java.util.List;

/**
 * How a family stays bounded, so a scrape stays cheap whatever registers.
 *
 * <p>Registered series beyond {@link #MAX_SERIES_PER_FAMILY} are not refused (that would crash
 * whoever asked) but folded: summed into one series whose label values are all {@link #OVERFLOW},
 * at most {@link #MAX_FOLDED_PER_FAMILY} of them; beyond that they are dropped and counted.
 * A collector's samples (open label sets: hosts, consumers) are bounded at scrape time: beyond
 * its bound they fold into one series labelled {@link #OTHER}, by {@link MetricRegistry.Fold}.
 */
final class SeriesFolding {
    /** Big enough for closed label sets (6 message types × 28 results); small enough to scrape cheaply. */
    static final int MAX_SERIES_PER_FAMILY = 256;
    /** Folded series kept per family (their values are summed); beyond this they are dropped and counted. */
    static final int MAX_FOLDED_PER_FAMILY = 1024;
    /** Label value of the series that sums what a family could not hold. */
    static final String OVERFLOW = "overflow";
    /** Label value of the series that folds what a collector emitted beyond its bound. */
    static final String OTHER = "other";
    /** A collected label value longer than this is folded rather than exported. */
    private static final int MAX_COLLECTED_VALUE = 255;

    private SeriesFolding() {
    }

    /** Where a newly registered series goes. */
    enum Placement { KEPT, FOLDED, DROPPED }

    static Placement place(MetricFamily family) {
        if (family.series().size() < MAX_SERIES_PER_FAMILY) {
            return Placement.KEPT;
        }
        return family.folded().size() < MAX_FOLDED_PER_FAMILY ? Placement.FOLDED : Placement.DROPPED;
    }

    /** The overflow series of counters and gauges: the sum of the folded ones. */
    static double foldedValue(List<MetricSeries> folded) {
        double sum = 0;
        for (var s : folded) {
            sum += s.value().getAsDouble();
        }
        return sum;
    }

    /** Per-bucket (non-cumulative) counts and the sum of folded histograms. */
    record FoldedHistogram(long[] counts, double sum) {
    }

    static FoldedHistogram foldedHistogram(List<MetricSeries> folded, int buckets) {
        long[] counts = new long[buckets];
        double sum = 0;
        for (var s : folded) {
            long[] c = s.histogram().counts();
            for (int i = 0; i < counts.length; i++) {
                counts[i] += c[i];
            }
            sum += s.histogram().sum();
        }
        return new FoldedHistogram(counts, sum);
    }

    /** One sample of a collector: its (unescaped) label value and value. */
    record CollectedSample(String labelValue, double value) {
    }

    /**
     * A collector's samples as exported: at most {@code maxSeries}, the last of them {@link #OTHER}
     * folding the rest and any unusable label value. Counters keep the first samples in the
     * collector's order (so a stable order keeps each series monotonic); gauges keep the largest.
     */
    static List<CollectedSample> bound(List<CollectedSample> collected, MetricRegistry.Kind kind, int maxSeries,
                              MetricRegistry.Fold fold) {
        var order = new ArrayList<>(collected);
        if (kind == MetricRegistry.Kind.GAUGE && order.size() > maxSeries) {
            order.sort((a, b) -> Double.compare(b.value(), a.value())); // stable: ties keep their order
        }
        int keep = order.size() > maxSeries ? maxSeries - 1 : order.size();
        var out = new ArrayList<CollectedSample>(Math.min(order.size(), maxSeries));
        double other = 0;
        boolean folded = false;
        for (int k = 0; k < order.size(); k++) {
            var s = order.get(k);
            String v = s.labelValue();
            boolean usable = v != null && !v.isEmpty() && v.length() <= MAX_COLLECTED_VALUE && !v.equals(OTHER);
            if (k < keep && usable) {
                out.add(s);
            } else {
                double x = s.value();
                other = !folded ? x : fold == MetricRegistry.Fold.SUM ? other + x : Math.max(other, x);
                folded = true;
            }
        }
        if (folded) {
            out.add(new CollectedSample(OTHER, other));
        }
        return out;
    }
}
