package dev.jlay.pipeline;

import io.helidon.common.buffers.BufferData;
import io.helidon.webserver.WebServer;
import io.helidon.webserver.websocket.WsRouting;
import io.helidon.websocket.WsListener;
import io.helidon.websocket.WsSession;
import java.util.List;

/**
 * A PDS stand-in on 127.0.0.1: serves subscribeRepos and sends its frames, in
 * order, to every connection (the scenario producer of the reference relay's tests).
 */
public final class LoopbackPds implements AutoCloseable {

    private final WebServer server;

    public LoopbackPds(List<byte[]> frames) {
        server = WebServer.builder()
                .host("127.0.0.1")
                .port(0)
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
                .build()
                .start();
    }

    /** The host as the relay is told about it (and as the DID documents name it). */
    public String url() {
        return "http://127.0.0.1:" + server.port();
    }

    @Override
    public void close() {
        server.stop();
    }
}
