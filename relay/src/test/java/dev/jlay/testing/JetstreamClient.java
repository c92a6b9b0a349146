package dev.jlay.testing;

import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;

/**
 * A test client of the relay's {@code /subscribe} (Jetstream) on the JDK's WebSocket: keeps every
 * text message and every binary (zstd) message, and can send text (options_update).
 */
public final class JetstreamClient implements WebSocket.Listener, AutoCloseable {
    /** Synchronized lists (a copy-on-write list is quadratic over tens of thousands of events); read them once complete. */
    public final List<String> texts = Collections.synchronizedList(new ArrayList<>());
    public final List<byte[]> binaries = Collections.synchronizedList(new ArrayList<>());
    public final CompletableFuture<String> closed = new CompletableFuture<>();
    private final StringBuilder partialText = new StringBuilder();
    private final ByteArrayOutputStream partialBinary = new ByteArrayOutputStream();
    private volatile WebSocket socket;

    public static JetstreamClient connect(int port, String query) throws Exception {
        var client = new JetstreamClient();
        var uri = URI.create("ws://127.0.0.1:" + port + "/subscribe" + (query == null ? "" : "?" + query));
        client.socket = HttpClient.newHttpClient().newWebSocketBuilder()
                .connectTimeout(Duration.ofSeconds(10))
                .buildAsync(uri, client).get(10, TimeUnit.SECONDS);
        return client;
    }

    public void sendText(String text) throws Exception {
        socket.sendText(text, true).get(10, TimeUnit.SECONDS);
    }

    @Override
    public void onOpen(WebSocket webSocket) {
        webSocket.request(Long.MAX_VALUE);
    }

    @Override
    public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
        synchronized (partialText) {
            partialText.append(data);
            if (last) {
                texts.add(partialText.toString());
                partialText.setLength(0);
            }
        }
        return null;
    }

    @Override
    public CompletionStage<?> onBinary(WebSocket webSocket, ByteBuffer data, boolean last) {
        var chunk = new byte[data.remaining()];
        data.get(chunk);
        synchronized (partialBinary) {
            partialBinary.writeBytes(chunk);
            if (last) {
                binaries.add(partialBinary.toByteArray());
                partialBinary.reset();
            }
        }
        return null;
    }

    @Override
    public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
        closed.complete(statusCode + " " + reason);
        return null;
    }

    @Override
    public void onError(WebSocket webSocket, Throwable error) {
        // the whole cause chain: the JDK reports a bad frame as a bare ProtocolException whose cause says why
        var why = new StringBuilder("error");
        for (Throwable t = error; t != null; t = t.getCause()) {
            why.append(" | ").append(t);
        }
        closed.complete(why.toString());
    }

    @Override
    public void close() {
        var s = socket;
        if (s != null) {
            s.abort();
        }
    }
}
