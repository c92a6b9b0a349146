package dev.jlay.metrics;

import java.util.function.DoubleSupplier;

/** A registered series' source: a supplier for counters and gauges, a histogram for histograms. */
record MetricSeries(MetricLabels labels, DoubleSupplier value, Histogram histogram) {
}
