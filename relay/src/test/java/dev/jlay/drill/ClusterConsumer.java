package dev.jlay.drill;

import dev.jlay.atproto.stream.FrameHeader;
import dev.jlay.sim.EventTime;
import dev.jlay.sim.LatencyHistogram;
import dev.jlay.upstream.PayloadFields;
import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.zip.CRC32C;

/**
 * A subscribeRepos consumer of the cluster drill that behaves like a careful real one: it keeps the
 * last seq it got, and when its connection ends (its edge killed, the primary killed) it connects
 * again with that cursor, to the next of its endpoints (the other edge) first. It holds no frames:
 * each frame's 64-bit digest goes to a shared {@link Ledger}, where every consumer's bytes for a seq
 * must agree with every other's (the primary's consumer among them), and it counts seqs that skip
 * (gaps) or do not advance (repeats).
 */
final class ClusterConsumer implements WebSocket.Listener, AutoCloseable {
    /** seq to the digest of its frame as the first consumer got it; a different digest is a mismatch. */
    static final class Ledger {
        private final ConcurrentHashMap<Long, Long> digests = new ConcurrentHashMap<>();
        final AtomicLong mismatches = new AtomicLong();
        final List<String> firstMismatches = new CopyOnWriteArrayList<>();

        void check(String who, long seq, long digest) {
            Long first = digests.putIfAbsent(seq, digest);
            if (first != null && first != digest) {
                mismatches.incrementAndGet();
                if (firstMismatches.size() < 10) firstMismatches.add(who + " seq " + seq);
            }
        }

        Long digest(long seq) {
            return digests.get(seq);
        }

        int size() {
            return digests.size();
        }
    }

    static long digest(byte[] frame) {
        var crc = new CRC32C();
        crc.update(frame);
        return ((long) Arrays.hashCode(frame) << 32) ^ crc.getValue() ^ ((long) frame.length << 48);
    }

    final String name;
    private final HttpClient http;
    private final List<String> endpoints; // host:port
    private final Ledger ledger;
    private final ByteArrayOutputStream partial = new ByteArrayOutputStream();
    private final AtomicLong frames = new AtomicLong();
    private final AtomicLong gaps = new AtomicLong();
    private final AtomicLong repeats = new AtomicLong();
    private final AtomicLong reconnects = new AtomicLong();
    private final AtomicLong errorFrames = new AtomicLong();
    final List<String> history = new CopyOnWriteArrayList<>();
    private volatile int current;
    private volatile long lastSeq;
    private volatile long lastFrameNanos = System.nanoTime();
    private volatile LatencyHistogram latency;
    private volatile WebSocket socket;
    private volatile boolean closed;

    ClusterConsumer(String name, HttpClient http, List<String> endpoints, int first, Ledger ledger) {
        this.name = name;
        this.http = http;
        this.endpoints = List.copyOf(endpoints);
        this.current = first % endpoints.size();
        this.ledger = ledger;
    }

    /** Connects from {@code cursor} (0 = the oldest event) to its current endpoint; reconnects on its own from then on. */
    ClusterConsumer open(long cursor) throws Exception {
        lastSeq = cursor;
        socket = http.newWebSocketBuilder().connectTimeout(Duration.ofSeconds(10))
                .buildAsync(uri(), this).get(30, TimeUnit.SECONDS);
        return this;
    }

    private URI uri() {
        return URI.create("ws://" + endpoints.get(current) + "/xrpc/com.atproto.sync.subscribeRepos?cursor=" + lastSeq);
    }

    private void reconnect(String why, long delayMillis) {
        if (closed) return;
        reconnects.incrementAndGet();
        if (endpoints.size() > 1) current = (current + 1) % endpoints.size();
        if (history.size() < 50) {
            history.add(Instant.now() + " " + why + " after seq " + lastSeq + "; to " + endpoints.get(current));
        }
        Thread.ofVirtual().start(() -> {
            try {
                Thread.sleep(delayMillis);
            } catch (InterruptedException e) {
                return;
            }
            if (closed) return;
            http.newWebSocketBuilder().connectTimeout(Duration.ofSeconds(5)).buildAsync(uri(), this)
                    .whenComplete((ws, err) -> {
                        if (err != null) reconnect("connect failed (" + rootMessage(err) + ")", 500);
                        else socket = ws;
                    });
        });
    }

    private static String rootMessage(Throwable t) {
        while (t.getCause() != null) t = t.getCause();
        return t.getClass().getSimpleName();
    }

    @Override
    public void onOpen(WebSocket ws) {
        partial.reset(); // a frame the last connection cut off
        ws.request(1);
    }

    @Override
    public CompletionStage<?> onBinary(WebSocket ws, ByteBuffer data, boolean last) {
        byte[] b = new byte[data.remaining()];
        data.get(b);
        if (last && partial.size() == 0) {
            frame(b);
        } else {
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
        long now = System.nanoTime();
        frames.incrementAndGet();
        var header = FrameHeader.peek(f);
        if (header.isError()) {
            errorFrames.incrementAndGet();
            return;
        }
        long seq = PayloadFields.scan(f, header.payloadOffset()).seq();
        if (seq <= 0) return; // #info and the like
        if (seq <= lastSeq) {
            repeats.incrementAndGet();
            return;
        }
        if (seq != lastSeq + 1) gaps.incrementAndGet();
        lastSeq = seq;
        lastFrameNanos = now;
        ledger.check(name, seq, digest(f));
        var h = latency;
        if (h != null) {
            long sent = EventTime.micros(EventTime.read(f));
            Instant t = Instant.now();
            if (sent > 0) h.record(t.getEpochSecond() * 1_000_000L + t.getNano() / 1000 - sent);
        }
    }

    @Override
    public CompletionStage<?> onClose(WebSocket ws, int statusCode, String reason) {
        reconnect("closed " + statusCode + " " + reason, 200); // the JDK calls onClose or onError, once
        return null;
    }

    @Override
    public void onError(WebSocket ws, Throwable error) {
        reconnect("error " + rootMessage(error), 200);
    }

    /** Latency of every frame from now on goes to {@code h} (null: none recorded). */
    void measure(LatencyHistogram h) {
        latency = h;
    }

    long lastSeq() {
        return lastSeq;
    }

    long frames() {
        return frames.get();
    }

    long gaps() {
        return gaps.get();
    }

    long repeats() {
        return repeats.get();
    }

    long reconnects() {
        return reconnects.get();
    }

    long errorFrames() {
        return errorFrames.get();
    }

    String endpoint() {
        return endpoints.get(current);
    }

    /** When the last new seq arrived ({@link System#nanoTime()}). */
    long lastFrameNanos() {
        return lastFrameNanos;
    }

    @Override
    public void close() {
        closed = true;
        var s = socket;
        if (s != null) s.abort();
    }
}
