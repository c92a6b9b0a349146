package dev.jlay.upstream;

import io.helidon.common.buffers.BufferData;
import io.helidon.http.Headers;
import io.helidon.http.HttpPrologue;
import io.helidon.webserver.WebServer;
import io.helidon.webserver.websocket.WsRouting;
import io.helidon.websocket.WsListener;
import io.helidon.websocket.WsSession;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A loopback PDS stand-in: a real Helidon WebSocket server on 127.0.0.1 serving subscribeRepos. What
 * each connection gets is up to the {@link Script}, which runs on its own virtual thread.
 */
final class FirehoseServer implements AutoCloseable {
    interface Script {
        /** Serve one connection; {@code cursor} is -1 without a cursor parameter. */
        void serve(WsSession session, long cursor, int connection) throws Exception;
    }

    final List<Long> cursors = new CopyOnWriteArrayList<>();
    final AtomicInteger connections = new AtomicInteger();
    /** Pings received over all connections: lets a test wait for the client's pings, not for time. */
    final AtomicInteger pings = new AtomicInteger();
    private final WebServer server;

    FirehoseServer(Script script) {
        this(script, null);
    }

    /**
     * @param idleTimeout closes a connection after this long without an inbound frame (Helidon's
     *                    idle-connection timeout, 5 minutes by default, measured on a clock that
     *                    ticks in whole seconds), checked every tenth of it
     */
    FirehoseServer(Script script, Duration idleTimeout) {
        var builder = WebServer.builder();
        if (idleTimeout != null) {
            builder.idleConnectionTimeout(idleTimeout).idleConnectionPeriod(idleTimeout.dividedBy(10));
        }
        server = builder
                .host("127.0.0.1")
                .port(0)
                .addRouting(WsRouting.builder().endpoint(SubscribeUri.PATH, () -> new WsListener() {
                    long cursor = -1;

                    @Override
                    public Optional<Headers> onHttpUpgrade(HttpPrologue prologue, Headers headers) {
                        cursor = prologue.query().first("cursor").map(Long::parseLong).orElse(-1L);
                        return Optional.empty();
                    }

                    @Override
                    public void onPing(WsSession session, BufferData buffer) {
                        session.pong(buffer); // Helidon leaves this to the listener; RFC 6455 requires it
                        pings.incrementAndGet();
                    }

                    @Override
                    public void onOpen(WsSession session) {
                        cursors.add(cursor);
                        int n = connections.incrementAndGet();
                        long c = cursor;
                        Thread.ofVirtual().start(() -> {
                            try {
                                script.serve(session, c, n);
                            } catch (Exception e) {
                                // the client went away mid-script: fine for a test server
                            }
                        });
                    }
                }))
                .build()
                .start();
    }

    String url() {
        return "http://127.0.0.1:" + server.port();
    }

    static void send(WsSession session, byte[] frame) {
        session.send(BufferData.create(frame), true);
    }

    @Override
    public void close() {
        server.stop();
    }
}
