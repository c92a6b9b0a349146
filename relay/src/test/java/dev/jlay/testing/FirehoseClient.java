package dev.jlay.testing;

import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A subscribeRepos consumer for tests on the JDK's WebSocket client. It
 * collects whole binary frames; with {@code autoRead=false} it reads only what
 * {@link #read(long)} allows, so a test can stop reading and let the server's
 * socket fill up.
 */
public final class FirehoseClient implements WebSocket.Listener, AutoCloseable {
    public final List<byte[]> frames = new CopyOnWriteArrayList<>();
    public final CompletableFuture<String> closed = new CompletableFuture<>();
    public final AtomicInteger pings = new AtomicInteger();
    private final boolean autoRead;
    private final ByteArrayOutputStream partial = new ByteArrayOutputStream();
    private volatile WebSocket socket;

    private FirehoseClient(boolean autoRead) {
        this.autoRead = autoRead;
    }

    public static FirehoseClient connect(int port, String query) throws Exception {
        return connect(port, query, true);
    }

    public static FirehoseClient connect(int port, String query, boolean autoRead) throws Exception {
        var client = new FirehoseClient(autoRead);
        var uri = URI.create("ws://127.0.0.1:" + port + "/xrpc/com.atproto.sync.subscribeRepos"
                + (query == null ? "" : "?" + query));
        client.socket = HttpClient.newHttpClient().newWebSocketBuilder()
                .header("User-Agent", "jlay-test")
                .connectTimeout(Duration.ofSeconds(10))
                .buildAsync(uri, client).get(10, TimeUnit.SECONDS);
        return client;
    }

    @Override
    public void onOpen(WebSocket webSocket) {
        webSocket.request(autoRead ? Long.MAX_VALUE : 1);
    }

    @Override
    public CompletionStage<?> onBinary(WebSocket webSocket, ByteBuffer data, boolean last) {
        var chunk = new byte[data.remaining()];
        data.get(chunk);
        synchronized (partial) {
            partial.writeBytes(chunk);
            if (last) {
                frames.add(partial.toByteArray());
                partial.reset();
            }
        }
        return null;
    }

    @Override
    public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
        closed.complete("unexpected text frame");
        return null;
    }

    @Override
    public CompletionStage<?> onPing(WebSocket webSocket, ByteBuffer message) {
        pings.incrementAndGet();
        if (!autoRead) {
            webSocket.request(1);
        }
        return null;
    }

    @Override
    public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
        closed.complete("close " + statusCode + " " + reason);
        return null;
    }

    @Override
    public void onError(WebSocket webSocket, Throwable error) {
        closed.complete("error " + error);
    }

    /** Allows {@code n} more messages to be delivered (manual reading). */
    public void read(long n) {
        socket.request(n);
    }

    @Override
    public void close() {
        var s = socket;
        if (s != null) {
            s.abort();
        }
    }
}
