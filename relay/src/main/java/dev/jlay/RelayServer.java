package dev.jlay;

import dev.jlay.api.Routes;
import dev.jlay.api.UnreadableRequests;
import dev.jlay.config.ConfigKeys;
import dev.jlay.config.RelayConfig;
import io.helidon.webserver.WebServer;
import io.helidon.webserver.http1.Http1Config;

/**
 * The Helidon WebServer for a {@link Relay}: the API socket (XRPC, firehose,
 * health) and a second named socket, {@code metrics}, that serves only
 * {@code /metrics}. Port 0 picks a free port (tests).
 */
public final class RelayServer implements AutoCloseable {
    public static final String METRICS_SOCKET = "metrics";

    private final Relay relay;
    private final WebServer server;

    private RelayServer(Relay relay, WebServer server) {
        this.relay = relay;
        this.server = server;
    }

    public static RelayServer start(Relay relay, String host, int port, int metricsPort) {
        return start(relay, host, port, host, metricsPort);
    }

    /** With /metrics on its own address (e.g. loopback only while the API is public). */
    public static RelayServer start(Relay relay, String host, int port, String metricsHost, int metricsPort) {
        var routes = Routes.of(relay.handlers());
        var server = WebServer.builder()
                .host(host)
                .port(port)
                // frames are written as they come; Nagle would hold small ones back
                .connectionOptions(o -> o.tcpNoDelay(true))
                .addProtocol(apiHttp1(relay.config()))
                .directHandlers(UnreadableRequests.handlers(relay.refusedRequests()))
                .addRouting(routes.http(Routes.Port.API))
                .addRouting(routes.webSockets())
                .putSocket(METRICS_SOCKET, socket -> socket.host(metricsHost).port(metricsPort)
                        .routing(routes.http(Routes.Port.METRICS))
                        .directHandlers(UnreadableRequests.handlers(relay.refusedRequests())))
                .shutdownHook(false)
                .build()
                .start();
        // hosts are read only once consumers can connect and /_health answers
        relay.startUpstream();
        return new RelayServer(relay, server);
    }

    /**
     * The API socket's HTTP/1 settings: a request line up to {@code http.max-request-line-bytes}, so a
     * Jetstream URL with its 10,000 {@code wantedDids} (about 330 KB) is read; past it Helidon answers
     * 414, counted as a refusal. The metrics socket keeps Helidon's default.
     */
    static Http1Config apiHttp1(RelayConfig config) {
        long bytes = Math.clamp(config.getBytes(ConfigKeys.HTTP_MAX_REQUEST_LINE_BYTES), 1024L, 64L << 20);
        return Http1Config.builder().maxPrologueLength((int) bytes).build();
    }

    public int port() {
        return server.port();
    }

    public int metricsPort() {
        return server.port(METRICS_SOCKET);
    }

    public Relay relay() {
        return relay;
    }

    /** Stops listening, then closes the relay (sequencer flushed, RocksDB closed). */
    @Override
    public void close() {
        try {
            relay.subscribeRepos().close();
            server.stop();
        } finally {
            relay.close();
        }
    }
}
