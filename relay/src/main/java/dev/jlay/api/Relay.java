package dev.jlay.api;

import dev.jlay.atproto.stream.SeqStamp;
import dev.jlay.config.ConfigKeys;
import dev.jlay.config.RelayConfig;
import dev.jlay.downstream.SubscribeRepos;
import dev.jlay.eventlog.EventLogService;
import dev.jlay.eventlog.SeqStamper;
import dev.jlay.memory.Metrics;
import io.helidon.http.HeaderValues;
import io.helidon.webserver.http.HttpRouting;
import io.helidon.webserver.websocket.WsRouting;

/**
 * The composition root: every long-lived component, built from config with
 * plain constructors, in dependency order. To add a component: build it in
 * {@link #create}, keep it in a field, register its routes in
 * {@link #apiRouting}/{@link #wsRouting}, and close it in {@link #close} (reverse
 * order). No container, no reflection.
 */
public final class Relay implements AutoCloseable {
    private final RelayConfig config;
    private final Metrics metrics;
    private final EventLogService events;
    private final SubscribeRepos subscribeRepos;

    public Relay(RelayConfig config, Metrics metrics, EventLogService events, SubscribeRepos subscribeRepos) {
        this.config = config;
        this.metrics = metrics;
        this.events = events;
        this.subscribeRepos = subscribeRepos;
    }

    /** Opens everything the config describes (the event log on disk included); nothing listens yet. */
    public static Relay create(RelayConfig config) {
        return create(config, SeqStamp::withSeq);
    }

    /** As {@link #create(RelayConfig)}, with another seq stamper (tests with synthetic frames). */
    public static Relay create(RelayConfig config, SeqStamper stamper) {
        var metrics = new Metrics();
        var events = new EventLogService(EventLogService.Settings.from(config), stamper, metrics,
                System::currentTimeMillis);
        try {
            var subscribeRepos = new SubscribeRepos(events.ring(), events.log(), new SubscribeRepos.Settings(
                    config.getInt(ConfigKeys.DOWNSTREAM_MAX_CONSUMERS),
                    config.getInt(ConfigKeys.DOWNSTREAM_WRITE_TIMEOUT_MS),
                    config.getInt(ConfigKeys.DOWNSTREAM_PING_MS),
                    512, 8L << 20), metrics);
            return new Relay(config, metrics, events, subscribeRepos);
        } catch (RuntimeException e) {
            events.close();
            throw e;
        }
    }

    public RelayConfig config() {
        return config;
    }

    public Metrics metrics() {
        return metrics;
    }

    public EventLogService events() {
        return events;
    }

    public SubscribeRepos subscribeRepos() {
        return subscribeRepos;
    }

    /** Routes of the API socket. */
    public void apiRouting(HttpRouting.Builder http) {
        http.get("/_health", (req, res) -> {
            res.header(HeaderValues.CONTENT_TYPE_JSON);
            res.send("{\"status\":\"ok\"}");
        });
        subscribeRepos.register(http);
    }

    /** WebSocket endpoints of the API socket. */
    public void wsRouting(WsRouting.Builder ws) {
        subscribeRepos.register(ws);
    }

    /** Routes of the metrics socket. */
    public void metricsRouting(HttpRouting.Builder http) {
        http.get("/metrics", (req, res) -> {
            res.header(io.helidon.http.HeaderNames.CONTENT_TYPE, "text/plain; version=0.0.4; charset=utf-8");
            res.send(metrics.render());
        });
    }

    /** Consumers first (they read the log), then the event log (flushes the sequencer, closes RocksDB). */
    @Override
    public void close() {
        subscribeRepos.close();
        events.close();
    }
}
