package dev.jlay.sim;

import dev.jlay.atproto.stream.FrameHeader;
import dev.jlay.upstream.PayloadFields;
import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A relay consumer for soak runs: counts frames, checks that relay seqs only go up, and (when
 * asked) records each frame's latency from the simulated host's send time ({@link EventTime})
 * to its arrival here. Holds no frames: its memory does not grow with the run.
 */
public final class SoakConsumer implements WebSocket.Listener, AutoCloseable {
    private final WarmLatency latency;
    private final ByteArrayOutputStream partial = new ByteArrayOutputStream();
    private final AtomicLong frames = new AtomicLong();
    private final AtomicLong backwards = new AtomicLong();
    private final AtomicLong gaps = new AtomicLong();
    private volatile long lastSeq;
    private volatile String closed;
    private volatile WebSocket socket;

    private SoakConsumer(WarmLatency latency) {
        this.latency = latency;
    }

    /** Connects to {@code ws://host:port/xrpc/com.atproto.sync.subscribeRepos}; latency may be null. */
    public static SoakConsumer connect(HttpClient http, String host, int port, WarmLatency latency)
            throws Exception {
        var c = new SoakConsumer(latency);
        c.socket = http.newWebSocketBuilder().connectTimeout(Duration.ofSeconds(10))
                .buildAsync(URI.create("ws://" + host + ":" + port + SimHost.SUBSCRIBE_PATH), c)
                .get(30, TimeUnit.SECONDS);
        return c;
    }

    @Override
    public void onOpen(WebSocket webSocket) {
        webSocket.request(1);
    }

    @Override
    public CompletionStage<?> onBinary(WebSocket ws, ByteBuffer data, boolean last) {
        if (last && partial.size() == 0) {
            byte[] b = new byte[data.remaining()];
            data.get(b);
            frame(b);
        } else {
            byte[] b = new byte[data.remaining()];
            data.get(b);
            partial.writeBytes(b);
            if (last) {
                frame(partial.toByteArray());
                partial.reset();
            }
        }
        ws.request(1);
        return null;
    }

    private void frame(byte[] f) {
        long now = nowMicros();
        long index = frames.incrementAndGet();
        try {
            var header = FrameHeader.peek(f);
            long seq = PayloadFields.scan(f, header.payloadOffset()).seq();
            if (seq > 0) {
                if (seq <= lastSeq) backwards.incrementAndGet();
                else if (lastSeq > 0 && seq != lastSeq + 1) gaps.incrementAndGet();
                lastSeq = seq;
            }
        } catch (RuntimeException e) {
            // counted as a frame; the relay sends only frames it could stamp
        }
        if (latency != null) {
            long sent = EventTime.micros(EventTime.read(f));
            if (sent > 0) latency.record(index, now - sent);
        }
    }

    static long nowMicros() {
        Instant t = Instant.now();
        return t.getEpochSecond() * 1_000_000L + t.getNano() / 1000;
    }

    @Override
    public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
        closed = statusCode + " " + reason;
        return null;
    }

    @Override
    public void onError(WebSocket webSocket, Throwable error) {
        closed = String.valueOf(error);
    }

    public long frames() {
        return frames.get();
    }

    /** Seqs not above the previous one (must stay 0). */
    public long backwards() {
        return backwards.get();
    }

    /** Seqs that skipped numbers (a relay seq is dense, so these must stay 0 too). */
    public long gaps() {
        return gaps.get();
    }

    public String closedReason() {
        return closed;
    }

    @Override
    public void close() {
        var s = socket;
        if (s != null) s.abort();
    }
}
