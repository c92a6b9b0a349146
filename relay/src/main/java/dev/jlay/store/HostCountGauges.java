package dev.jlay.store;

import dev.jlay.metrics.MetricRegistry;
import java.lang.System.Logger.Level;
import java.time.Duration;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.LongSupplier;

/**
 * {@code relay_upstream_hosts{status}}: hosts per stored status, from {@link HostStore#countByStatus()}.
 *
 * <p>A scrape never asks the database: a half-open connection would hold the scrape (and, through
 * the registry, everything that registers a metric) for as long as it hangs. A virtual thread asks
 * every {@link #EVERY} and waits at most {@link #TIMEOUT} for the answer; the gauges read the last
 * answer, and {@code relay_upstream_hosts_age_seconds} says how old it is, so a stuck or failing
 * database shows as a growing age rather than as a frozen scrape.
 */
final class HostCountGauges implements AutoCloseable {
    static final Duration EVERY = Duration.ofSeconds(5);
    static final Duration TIMEOUT = Duration.ofSeconds(10);
    private static final System.Logger LOG = System.getLogger(HostCountGauges.class.getName());

    /** An answer and when it arrived. */
    private record Counts(Map<HostStatus, Long> byStatus, long atNanos) {
    }

    private final HostStore hosts;
    private final LongSupplier nanoTime;
    private final long createdNanos;
    private final LongAdder failures = new LongAdder();
    private volatile Counts latest; // null until the first answer
    private FutureTask<Map<HostStatus, Long>> asking; // the question in flight; guarded by this
    private boolean failing; // guarded by this
    private volatile Thread refresher;
    private volatile boolean closed;

    HostCountGauges(HostStore hosts, LongSupplier nanoTime) {
        this.hosts = hosts;
        this.nanoTime = nanoTime;
        this.createdNanos = nanoTime.getAsLong();
    }

    /** Registers the gauges with {@code metrics} and starts asking; {@link #close} stops. */
    static HostCountGauges start(HostStore hosts, MetricRegistry metrics) {
        var gauges = new HostCountGauges(hosts, System::nanoTime);
        gauges.register(metrics);
        gauges.start(EVERY, TIMEOUT);
        return gauges;
    }

    void register(MetricRegistry metrics) {
        for (var status : HostStatus.values()) {
            metrics.gauge("relay_upstream_hosts", "Upstream hosts by stored status (as of "
                    + "relay_upstream_hosts_age_seconds ago).", "status", status.value(), () -> count(status));
        }
        metrics.gauge("relay_upstream_hosts_age_seconds",
                "Seconds since relay_upstream_hosts was last read from the database (grows while it does not "
                        + "answer).", this::ageSeconds);
        metrics.counter("relay_upstream_hosts_refresh_failures_total",
                "Host counts the database failed to give within the refresh timeout.", failures::sum);
    }

    void start(Duration every, Duration timeout) {
        refresher = Thread.ofVirtual().name("host-counts").start(() -> {
            while (!closed) {
                refresh(timeout);
                try {
                    Thread.sleep(every);
                } catch (InterruptedException e) {
                    return; // closed
                }
            }
        });
    }

    /** The last answer's count of {@code status}; 0 before the first answer. Never waits. */
    long count(HostStatus status) {
        var c = latest;
        return c == null ? 0 : c.byStatus().getOrDefault(status, 0L);
    }

    /** Seconds since the last answer (since creation before the first). Never waits. */
    double ageSeconds() {
        var c = latest;
        return (nanoTime.getAsLong() - (c == null ? createdNanos : c.atNanos())) / 1e9;
    }

    /**
     * Asks the store once and waits at most {@code timeout}; true when it answered. A question that
     * is still running is waited for again instead of asked a second time, so a hung database holds
     * one connection, not one per round.
     */
    synchronized boolean refresh(Duration timeout) {
        if (asking == null || asking.isDone()) {
            asking = new FutureTask<>(hosts::countByStatus);
            Thread.ofVirtual().name("host-counts-query").start(asking);
        }
        try {
            var counts = asking.get(timeout.toNanos(), TimeUnit.NANOSECONDS);
            latest = new Counts(new EnumMap<>(counts), nanoTime.getAsLong());
            if (failing) {
                failing = false;
                LOG.log(Level.INFO, "store: host counts refreshed again");
            }
            return true;
        } catch (TimeoutException | ExecutionException e) {
            failures.increment();
            if (!failing) {
                failing = true;
                LOG.log(Level.WARNING, "store: host counts not refreshed, relay_upstream_hosts keeps the last: "
                        + (e instanceof TimeoutException ? "no answer within " + timeout : e.getCause()));
            }
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    @Override
    public void close() {
        closed = true;
        var t = refresher;
        if (t != null) {
            t.interrupt();
        }
    }
}
