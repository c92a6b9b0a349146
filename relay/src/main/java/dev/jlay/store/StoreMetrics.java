package dev.jlay.store;

import dev.jlay.metrics.MetricRegistry;

/** The metrics every {@link Storage} exports, in one place so the two stores cannot drift apart. */
final class StoreMetrics {
    private StoreMetrics() {
    }

    /** Registers buffers, host counts and {@code relay_database_up}; the returned counts are the store's to close. */
    static HostCountGauges register(Storage storage, MetricRegistry metrics) {
        storage.buffers().forEach(metrics::register);
        var hostCounts = HostCountGauges.start(storage.hosts(), metrics);
        // health() is the last observation of the writer, its probe and the store calls: no I/O here
        metrics.gauge("relay_database_up", "1 when the last database health check succeeded, else 0.",
                () -> storage.health().healthy() ? 1 : 0);
        return hostCounts;
    }
}
