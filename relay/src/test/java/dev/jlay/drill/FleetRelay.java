package dev.jlay.drill;

import dev.jlay.sim.Fleet;
import dev.jlay.sim.MetricsText;
import dev.jlay.sim.SoakConsumer;
import dev.jlay.sim.WarmLatency;
import dev.jlay.testing.CrawlingRelay;
import java.net.http.HttpClient;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The hostile drills' normal traffic: a simulated PDS fleet (signed commits, its own PLC directory)
 * read by a whole relay as trusted {@code upstream.hosts}, and live consumers that measure each
 * event's latency from the host's socket to theirs (the host stamps the send time into the event).
 */
final class FleetRelay implements AutoCloseable {
    static final String TOKEN = "drill-admin-token";

    final Fleet fleet;
    final CrawlingRelay relay;

    private FleetRelay(Fleet fleet, CrawlingRelay relay) {
        this.fleet = fleet;
        this.relay = relay;
    }

    /** @param overrides more relay config, key, value... */
    static FleetRelay start(Path dir, int hosts, int accounts, double rate, String... overrides) {
        var fleet = Fleet.create(Fleet.Settings.of(hosts, accounts, rate));
        try {
            var pairs = new ArrayList<>(List.of("upstream.hosts", String.join(",", fleet.hostnames())));
            pairs.addAll(Arrays.asList(overrides));
            var relay = CrawlingRelay.start(dir, fleet.plc().url(), TOKEN, pairs.toArray(String[]::new));
            fleet.start(); // each host emits once the relay has subscribed
            return new FleetRelay(fleet, relay);
        } catch (RuntimeException e) {
            fleet.close();
            throw e;
        }
    }

    int port() {
        return relay.port();
    }

    long seq() {
        return relay.relay().events().log().lastSeq();
    }

    MetricsText metrics() {
        return MetricsText.parse(relay.relay().metrics().render());
    }

    /** Live consumers sharing one latency record: one probe per phase, so phases compare in one run. */
    Probe probe(int consumers, long warmupFrames) throws Exception {
        return new Probe(port(), consumers, warmupFrames);
    }

    static final class Probe implements AutoCloseable {
        final WarmLatency latency;
        private final HttpClient http = HttpClient.newHttpClient();
        private final List<SoakConsumer> consumers = new ArrayList<>();

        Probe(int port, int n, long warmupFrames) throws Exception {
            latency = new WarmLatency(warmupFrames);
            for (int i = 0; i < n; i++) consumers.add(SoakConsumer.connect(http, "127.0.0.1", port, latency));
        }

        long frames() {
            return consumers.stream().mapToLong(SoakConsumer::frames).sum();
        }

        /** Seqs out of order or skipped, over the probe's consumers (must stay 0). */
        long disorder() {
            return consumers.stream().mapToLong(c -> c.backwards() + c.gaps()).sum();
        }

        /** Consumers that were closed or failed (must stay 0: live readers keep being served). */
        long closed() {
            return consumers.stream().filter(c -> c.closedReason() != null).count();
        }

        Map<String, Object> figures() {
            var h = latency.afterWarmup();
            var out = new LinkedHashMap<String, Object>();
            out.put("frames", h.count());
            out.put("p50_ms", round(h.quantileMillis(0.5)));
            out.put("p99_ms", round(h.quantileMillis(0.99)));
            out.put("max_ms", round(h.maxMillis()));
            return out;
        }

        double p99() {
            return latency.afterWarmup().quantileMillis(0.99);
        }

        @Override
        public void close() {
            consumers.forEach(SoakConsumer::close);
            http.close();
        }
    }

    static double round(double v) {
        return Math.round(v * 100) / 100.0;
    }

    @Override
    public void close() {
        try {
            relay.close();
        } finally {
            fleet.close();
        }
    }
}
