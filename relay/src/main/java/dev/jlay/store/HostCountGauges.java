package dev.jlay.store;

import dev.jlay.metrics.MetricRegistry;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * {@code relay_upstream_hosts{status}}: hosts per stored status, from {@link HostStore#countByStatus()}.
 * A scrape reads all five series, so the counts are cached and asked of the database at most once
 * per {@link #MAX_AGE_NANOS}; when the database cannot answer, the last counts stay.
 */
final class HostCountGauges {
    static final long MAX_AGE_NANOS = TimeUnit.SECONDS.toNanos(5);

    private final HostStore hosts;
    private final LongSupplier nanoTime;
    private Map<HostStatus, Long> latest = new EnumMap<>(HostStatus.class);
    private long fetchedAt;
    private boolean fetched;

    HostCountGauges(HostStore hosts, LongSupplier nanoTime) {
        this.hosts = hosts;
        this.nanoTime = nanoTime;
    }

    static void register(HostStore hosts, MetricRegistry metrics) {
        var gauges = new HostCountGauges(hosts, System::nanoTime);
        for (var status : HostStatus.values()) {
            metrics.gauge("relay_upstream_hosts", "Upstream hosts by stored status.", "status", status.value(),
                    () -> gauges.count(status));
        }
    }

    synchronized long count(HostStatus status) {
        long now = nanoTime.getAsLong();
        if (!fetched || now - fetchedAt >= MAX_AGE_NANOS) {
            fetched = true;
            fetchedAt = now;
            try {
                latest = new EnumMap<>(hosts.countByStatus());
            } catch (StoreException e) {
                // database down: relay_database_up says so; keep the last counts
            }
        }
        return latest.getOrDefault(status, 0L);
    }
}
