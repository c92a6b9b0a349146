package dev.jlay;

import dev.jlay.api.MetricsEndpoint;
import dev.jlay.api.PrimaryProxy;
import dev.jlay.api.RefusedRequests;
import dev.jlay.api.Routes;
import dev.jlay.api.SubscribeReposEdge;
import dev.jlay.api.UnreadableRequests;
import dev.jlay.config.ConfigKeys;
import dev.jlay.config.RelayConfig;
import dev.jlay.downstream.SubscribeRepos;
import dev.jlay.downstream.TakenDownRepos;
import dev.jlay.edge.EdgeFeed;
import dev.jlay.edge.TopicEvents;
import dev.jlay.eventlog.EventRing;
import dev.jlay.kafka.KafkaSettings;
import dev.jlay.metrics.MetricRegistry;
import io.helidon.webserver.WebServer;
import io.helidon.webserver.http1.Http1Config;
import java.net.URI;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;

/**
 * The edge role ({@code role: edge}): the same binary serving consumers from the Kafka topic the
 * primary publishes. No upstream, no validation, no PostgreSQL, no disk: a bounded in-memory ring fed
 * by {@link EdgeFeed} from the topic's end, older cursors read from the topic ({@link TopicEvents}),
 * the read-only sync endpoints and requestCrawl sent to the primary ({@link PrimaryProxy}). A restart
 * needs nothing the edge held.
 */
public final class EdgeRelay implements AutoCloseable {
    private final MetricRegistry metrics;
    private final EventRing ring;
    private final EdgeFeed feed;
    private final SubscribeRepos subscribeRepos;
    private final RefusedRequests refused;
    private final PrimaryProxy proxy;
    private final Deque<AutoCloseable> closeOrder;
    private final Http1Config http1;
    private WebServer server;

    private EdgeRelay(MetricRegistry metrics, EventRing ring, EdgeFeed feed, SubscribeRepos subscribeRepos,
                      PrimaryProxy proxy, Deque<AutoCloseable> closeOrder, Http1Config http1) {
        this.metrics = metrics;
        this.ring = ring;
        this.feed = feed;
        this.subscribeRepos = subscribeRepos;
        this.refused = new RefusedRequests(metrics);
        this.proxy = proxy;
        this.closeOrder = closeOrder;
        this.http1 = http1;
    }

    /** Waits for the topic to answer (its last seq is where the ring starts), then builds the edge. */
    public static EdgeRelay create(RelayConfig config) throws InterruptedException {
        var kafka = Relay.kafkaSettings(config);
        if (!kafka.enabled()) throw new IllegalArgumentException("role edge needs kafka.bootstrap-servers");
        var primaryUrl = config.get(ConfigKeys.EDGE_PRIMARY_URL).strip();
        if (primaryUrl.isEmpty()) throw new IllegalArgumentException("role edge needs edge.primary-url");
        KafkaSettings.quietClientLogs();
        var opened = new ArrayDeque<AutoCloseable>();
        try {
            var metrics = new MetricRegistry(false);
            long last = EdgeFeed.lastSeq(kafka);
            var ring = new EventRing(config.getInt(ConfigKeys.EVENTLOG_RING_EVENTS),
                    config.getBytes(ConfigKeys.EVENTLOG_RING_BYTES), last);
            metrics.register(ring);
            metrics.gauge("relay_seq", "Last seq this edge has read from the topic.", ring::head);
            var history = new TopicEvents(kafka, ring::head);
            opened.push(history);
            var feed = new EdgeFeed(kafka, ring, metrics).start();
            opened.push(feed);
            // takedowns reach an edge as the hidden flag of each record; later ones are not known here (docs/cluster.md)
            var takedowns = new TakenDownRepos(config.getInt(ConfigKeys.DOWNSTREAM_TAKEDOWN_CAPACITY));
            var subscribeRepos = new SubscribeRepos(ring, history, takedowns, new SubscribeRepos.Settings(
                    config.getInt(ConfigKeys.DOWNSTREAM_MAX_CONSUMERS),
                    config.getInt(ConfigKeys.DOWNSTREAM_WRITE_TIMEOUT_MS),
                    config.getInt(ConfigKeys.DOWNSTREAM_TOO_SLOW_GRACE_MS),
                    config.getInt(ConfigKeys.DOWNSTREAM_PING_MS),
                    512, 8L << 20, config.getInt(ConfigKeys.EDGE_FUTURE_CURSOR_WAIT_MS)), metrics);
            opened.push(subscribeRepos);
            return new EdgeRelay(metrics, ring, feed, subscribeRepos, new PrimaryProxy(URI.create(primaryUrl)), opened,
                    RelayServer.apiHttp1(config));
        } catch (RuntimeException | Error | InterruptedException e) {
            closeAll(opened);
            throw e;
        }
    }

    /** Opens the API and metrics sockets (port 0: any free port). */
    public EdgeRelay start(String host, int port, String metricsHost, int metricsPort) {
        var routes = Routes.forEdge(List.of(subscribeRepos, new SubscribeReposEdge(subscribeRepos),
                new MetricsEndpoint(metrics), refused, proxy));
        server = WebServer.builder()
                .host(host)
                .port(port)
                .connectionOptions(o -> o.tcpNoDelay(true))
                .addProtocol(http1)
                .directHandlers(UnreadableRequests.handlers(refused))
                .addRouting(routes.http(Routes.Port.API))
                .addRouting(routes.webSockets())
                .putSocket(RelayServer.METRICS_SOCKET, socket -> socket.host(metricsHost).port(metricsPort)
                        .routing(routes.http(Routes.Port.METRICS))
                        .directHandlers(UnreadableRequests.handlers(refused)))
                .shutdownHook(false)
                .build()
                .start();
        return this;
    }

    public int port() {
        return server.port();
    }

    public int metricsPort() {
        return server.port(RelayServer.METRICS_SOCKET);
    }

    /** The last seq this edge has read from the topic. */
    public long head() {
        return ring.head();
    }

    public EdgeFeed feed() {
        return feed;
    }

    public MetricRegistry metrics() {
        return metrics;
    }

    @Override
    public void close() {
        try {
            subscribeRepos.close();
            if (server != null) server.stop();
        } finally {
            closeAll(closeOrder);
        }
    }

    private static void closeAll(Deque<AutoCloseable> opened) {
        while (!opened.isEmpty()) {
            try {
                opened.pop().close();
            } catch (Exception e) {
                System.getLogger(EdgeRelay.class.getName()).log(System.Logger.Level.WARNING, "closing failed", e);
            }
        }
    }
}
