package dev.jlay.api;

import static org.assertj.core.api.Assertions.assertThat;

import dev.jlay.memory.BoundedBuffer;
import dev.jlay.metrics.MetricRegistry;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** relay_marginal_cost_bytes{per}: present at 0 from the first scrape, then the metered bytes divided by the counts. */
class MarginalCostsTest {
    @Test
    void zeroUntilMeasurableThenBytesOfTheMatchingBuffersPerThing() {
        var metrics = new MetricRegistry();
        var hosts = new AtomicLong();
        var consumers = new AtomicLong();
        var costs = new MarginalCosts(metrics, hosts::get, consumers::get);
        costs.update();
        String first = metrics.render();
        for (var per : new String[] {"idle_host", "cached_account", "uncached_account", "consumer"}) {
            assertThat(first).contains("relay_marginal_cost_bytes{per=\"" + per + "\"} 0");
        }

        metrics.register(BoundedBuffer.of("upstream_reassembly", () -> 3, () -> 100, () -> 30_000));
        metrics.register(BoundedBuffer.of("host_cursor_in_flight", () -> 10, () -> 100, () -> 1_000));
        metrics.register(BoundedBuffer.perEntry("store_account_cache", () -> 100, 1000, 200));
        metrics.register(BoundedBuffer.perEntry("store_repo_state_cache", () -> 50, 1000, 300));
        metrics.register(BoundedBuffer.perEntry("identity_cache", () -> 0, 1000, 500)); // empty: left out
        metrics.register(BoundedBuffer.of("consumers", () -> 4, () -> 10, () -> 4 * 3_000));
        metrics.register(BoundedBuffer.of("consumer_replay_batches", () -> 8, () -> 80, () -> 4_000));
        hosts.set(100);
        consumers.set(4);
        costs.update();
        assertThat(costs.idleHost()).isEqualTo(310.0);
        assertThat(costs.cachedAccount()).isEqualTo(500.0);
        assertThat(costs.consumer()).isEqualTo(4_000.0);
        assertThat(metrics.render()).contains("relay_marginal_cost_bytes{per=\"consumer\"} 4000");
    }
}
