package dev.jlay.api;

import dev.jlay.metrics.MetricRegistry;
import io.helidon.http.HeaderNames;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;

/** {@code GET /metrics} on the metrics socket: the registry in Prometheus text format. */
public final class MetricsEndpoint {
    private final MetricRegistry metrics;

    public MetricsEndpoint(MetricRegistry metrics) {
        this.metrics = metrics;
    }

    void render(ServerRequest req, ServerResponse res) {
        res.header(HeaderNames.CONTENT_TYPE, "text/plain; version=0.0.4; charset=utf-8");
        res.send(metrics.render());
    }
}
