package dev.jlay.upstream;

import dev.jlay.net.AddressGuard;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.jlay.atproto.syntax.Did;
import dev.jlay.identity.DidDocument;
import dev.jlay.identity.IdentityResolver;
import dev.jlay.identity.ResolverConfig;
import dev.jlay.metrics.MetricRegistry;
import java.net.URI;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The upstream and identity figures reach the metrics registry under bounded label sets. */
class UpstreamMetricsTest {
    private static final String DID = "did:plc:yxvo24ctd7irpeth3wjajout";

    @Test
    void hostReadersExportCountersAndConnectionStates() throws Exception {
        var metrics = new MetricRegistry();
        var config = ConnectionConfig.defaults().withAllowInsecureHosts(true)
                .withBackoff(new BackoffPolicy(Duration.ofMillis(50), Duration.ofMillis(100), 0));
        try (var server = new FirehoseServer((s, cursor, n) -> {
                    FirehoseServer.send(s, SyntheticFrames.commit(1, DID, 10));
                    FirehoseServer.send(s, SyntheticFrames.commit(1, DID, 10));
                    FirehoseServer.send(s, SyntheticFrames.commit(2, DID, 10));
                    Thread.sleep(Long.MAX_VALUE);
                });
             var m = new HostConnectionManager(config, new AddressGuard(true), new QueueFrameSink(10),
                     HostListener.NONE, UpstreamMeters.register(metrics))) {
            m.registerGauges(metrics);
            m.start(server.url(), () -> 0, RateLimiter.UNLIMITED);
            await().atMost(Duration.ofSeconds(20)).until(() -> m.meters().forwarded() == 2);
            String text = metrics.render();
            assertThat(text).contains("relay_upstream_forwarded_total 2\n")
                    .contains("relay_upstream_messages_total 3\n")
                    .contains("relay_upstream_dropped_total{reason=\"seq_not_increasing\"} 1\n")
                    .contains("relay_upstream_dropped_total{reason=\"oversize\"} 0\n")
                    .contains("relay_upstream_connections 1\n")
                    .contains("relay_upstream_connection_states{state=\"connected\"} 1\n")
                    .contains("relay_upstream_connection_states{state=\"backoff\"} 0\n")
                    .contains("relay_upstream_connects_total 1\n")
                    .contains("relay_stage_events_total{stage=\"receive\"} 2\n")
                    .contains("relay_host_frames_total{host=\"" + server.url() + "\"} 3\n")
                    .contains("relay_host_frames_total{host=\"other\"} 0\n");
        }
    }

    @Test
    void identityCacheIsABoundedBuffer() throws Exception {
        var metrics = new MetricRegistry();
        var config = ResolverConfig.defaults(URI.create("http://127.0.0.1:9")).withCache(Duration.ofHours(1), 1234,
                Duration.ofMinutes(1));
        try (var r = new IdentityResolver(config,
                did -> new DidDocument(Did.parse(did), Optional.empty(), Optional.empty(), Optional.empty()))) {
            r.registerMetrics(metrics);
            r.resolve(DID).get(20, TimeUnit.SECONDS);
            r.resolve(DID).get(20, TimeUnit.SECONDS);
            String text = metrics.render();
            assertThat(text).contains("relay_buffer_entries{buffer=\"identity_cache\"} 1\n")
                    .contains("relay_buffer_capacity{buffer=\"identity_cache\"} 1234\n")
                    .contains("relay_buffer_entries{buffer=\"identity_in_flight\"} 0\n")
                    .contains("relay_identity_fetches_total 1\n")
                    .contains("relay_identity_cache_hits_total 1\n");
        }
    }
}
