package dev.jlay.metrics;

/** A family's Prometheus type, as its {@code # TYPE} line names it. */
enum MetricType {
    COUNTER("counter"), GAUGE("gauge"), HISTOGRAM("histogram");

    final String text;

    MetricType(String text) {
        this.text = text;
    }
}
