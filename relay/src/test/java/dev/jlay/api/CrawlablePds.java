package dev.jlay.api;

import io.helidon.common.buffers.BufferData;
import io.helidon.http.HeaderValues;
import io.helidon.webserver.WebServer;
import io.helidon.webserver.http.HttpRouting;
import io.helidon.webserver.websocket.WsRouting;
import io.helidon.websocket.WsListener;
import io.helidon.websocket.WsSession;
import java.util.List;

/**
 * A PDS stand-in on loopback that a relay can be asked to crawl: answers
 * {@code com.atproto.server.describeServer} and sends its frames on subscribeRepos.
 * Addressed as {@code localhost:<port>} (requestCrawl takes no IP literals).
 */
final class CrawlablePds implements AutoCloseable {
    private final WebServer server;

    CrawlablePds(List<byte[]> frames) {
        server = WebServer.builder()
                .host("127.0.0.1")
                .port(0)
                .addRouting(HttpRouting.builder().get("/xrpc/com.atproto.server.describeServer", (req, res) -> {
                    res.header(HeaderValues.CONTENT_TYPE_JSON);
                    res.send("{\"did\":\"did:web:localhost\",\"availableUserDomains\":[\".test\"]}");
                }))
                .addRouting(WsRouting.builder().endpoint("/xrpc/com.atproto.sync.subscribeRepos", () -> new WsListener() {
                    @Override
                    public void onOpen(WsSession session) {
                        Thread.ofVirtual().start(() -> {
                            try {
                                for (byte[] f : frames) session.send(BufferData.create(f), true);
                            } catch (RuntimeException e) {
                                // the relay went away mid-stream: fine for a test producer
                            }
                        });
                    }
                }))
                .shutdownHook(false)
                .build()
                .start();
    }

    /** What requestCrawl is given. */
    String host() {
        return "localhost:" + server.port();
    }

    /** The endpoint DID documents name. */
    String url() {
        return "http://localhost:" + server.port();
    }

    @Override
    public void close() {
        server.stop();
    }
}
