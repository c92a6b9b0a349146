package dev.jlay;

import dev.jlay.api.Routes;
import dev.jlay.api.UnreadableRequests;
import io.helidon.webserver.WebServer;

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
