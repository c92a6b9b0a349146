package dev.jlay.api;

import io.helidon.common.buffers.BufferData;
import io.helidon.http.HeaderValues;
import io.helidon.http.HttpPrologue;
import io.helidon.webserver.WebServer;
import io.helidon.webserver.http.HttpRouting;
import io.helidon.webserver.websocket.WsRouting;
import io.helidon.websocket.WsListener;
import io.helidon.websocket.WsSession;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.LongFunction;

/**
 * A PDS stand-in on loopback whose firehose the test writes as it goes: {@link #push} gives the
 * next seq to a frame and sends it to every open connection; a new connection first gets what
 * was pushed after its cursor. Answers describeServer, so it can be crawled. Addressed as
 * {@code localhost:<port>}.
 */
final class PushPds implements AutoCloseable {
    private final WebServer server;
    private final List<byte[]> history = new ArrayList<>();
    private final List<WsSession> sessions = new ArrayList<>();

    PushPds() {
        server = WebServer.builder()
                .host("127.0.0.1")
                .port(0)
                .addRouting(HttpRouting.builder().get("/xrpc/com.atproto.server.describeServer", (req, res) -> {
                    res.header(HeaderValues.CONTENT_TYPE_JSON);
                    res.send("{\"did\":\"did:web:localhost\",\"availableUserDomains\":[\".test\"]}");
                }))
                .addRouting(WsRouting.builder().endpoint("/xrpc/com.atproto.sync.subscribeRepos", () -> new WsListener() {
                    long cursor = -1;

                    @Override
                    public Optional<io.helidon.http.Headers> onHttpUpgrade(HttpPrologue prologue,
                                                                          io.helidon.http.Headers headers) {
                        cursor = prologue.query().first("cursor").map(Long::parseLong).orElse(-1L);
                        return Optional.empty();
                    }

                    @Override
                    public void onOpen(WsSession session) {
                        synchronized (PushPds.this) {
                            for (int i = (int) Math.max(0, cursor); i < history.size(); i++) {
                                session.send(BufferData.create(history.get(i)), true);
                            }
                            sessions.add(session);
                        }
                    }

                    @Override
                    public void onClose(WsSession session, int status, String reason) {
                        synchronized (PushPds.this) {
                            sessions.remove(session);
                        }
                    }
                }))
                .shutdownHook(false)
                .build()
                .start();
    }

    /** Makes the frame for the next seq (1, 2, ...) and sends it to every connection. */
    synchronized long push(LongFunction<byte[]> frameForSeq) {
        long seq = history.size() + 1;
        var frame = frameForSeq.apply(seq);
        history.add(frame);
        for (var s : List.copyOf(sessions)) {
            try {
                s.send(BufferData.create(frame), true);
            } catch (RuntimeException gone) {
                sessions.remove(s);
            }
        }
        return seq;
    }

    synchronized int connections() {
        return sessions.size();
    }

    String host() {
        return "localhost:" + server.port();
    }

    String url() {
        return "http://localhost:" + server.port();
    }

    @Override
    public void close() {
        server.stop();
    }
}
