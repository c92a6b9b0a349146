package dev.jlay.api;

import dev.jlay.memory.BoundedBuffer;
import dev.jlay.metrics.MetricRegistry;
import java.util.List;
import java.util.function.LongSupplier;

/**
 * {@code relay_marginal_cost_bytes{per}}: what the relay's own accounting says one more idle host,
 * cached account, uncached account or consumer holds in memory, each the bytes of the bounded
 * structures that grow with that thing divided by how many of it there are (docs/memory.md says
 * exactly which). Recomputed with every {@link StatusHistory} sample (10 s), read at scrape time;
 * 0 until there is something to divide by. The soak's fitted slopes are the check on these figures:
 * they see everything (JDK client buffers, stacks, allocator slack), these only what is metered.
 */
public final class MarginalCosts {
    private final MetricRegistry metrics;
    private final LongSupplier connections;
    private final LongSupplier consumers;
    private volatile double idleHost;
    private volatile double cachedAccount;
    private volatile double consumer;

    /**
     * @param connections running host connections
     * @param consumers   connected subscribeRepos consumers
     */
    public MarginalCosts(MetricRegistry metrics, LongSupplier connections, LongSupplier consumers) {
        this.metrics = metrics;
        this.connections = connections;
        this.consumers = consumers;
        String help = "Bytes the relay's metered structures hold per idle host connection, cached account, "
                + "uncached account or consumer (docs/memory.md); 0 until measurable";
        metrics.gauge("relay_marginal_cost_bytes", help, "per", "idle_host", () -> idleHost);
        metrics.gauge("relay_marginal_cost_bytes", help, "per", "cached_account", () -> cachedAccount);
        // an account that is in no cache is a PostgreSQL row and RocksDB entries on disk: no relay memory
        metrics.gauge("relay_marginal_cost_bytes", help, "per", "uncached_account", () -> 0);
        metrics.gauge("relay_marginal_cost_bytes", help, "per", "consumer", () -> consumer);
    }

    /** Recomputes the figures from the buffers' current bytes and entries. */
    public void update() {
        long hosts = connections.getAsLong();
        idleHost = hosts <= 0 ? 0
                : (double) (bytes("upstream_reassembly") + bytes("host_cursor_in_flight")) / hosts;
        double perAccount = 0;
        for (var name : List.of("store_account_cache", "store_repo_state_cache", "identity_cache")) {
            var b = metrics.buffer(name);
            if (b.isPresent() && b.get().entries() > 0) {
                perAccount += (double) b.get().bytes() / b.get().entries();
            }
        }
        cachedAccount = perAccount;
        long n = consumers.getAsLong();
        consumer = n <= 0 ? 0 : (double) (bytes("consumers") + bytes("consumer_replay_batches")) / n;
    }

    private long bytes(String buffer) {
        return metrics.buffer(buffer).map(BoundedBuffer::bytes).orElse(0L);
    }

    double idleHost() {
        return idleHost;
    }

    double cachedAccount() {
        return cachedAccount;
    }

    double consumer() {
        return consumer;
    }
}
