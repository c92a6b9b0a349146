package dev.jlay.jetstream;

import io.helidon.common.buffers.BufferData;
import io.helidon.webserver.ConnectionContext;
import io.helidon.websocket.WsSession;
import java.time.Instant;
import java.util.concurrent.CountDownLatch;

/**
 * One {@code /subscribe} connection: its socket, its current filter (swapped whole by an {@code
 * options_update}), and the counters the watchdog and the listing read. Events go out from its pump
 * thread only; the socket's own thread reads the client's messages.
 */
final class JetstreamConnection {
    final long id;
    final WsSession session;
    final String remoteAddress;
    final String userAgent;
    final Instant connectedAt = Instant.now();
    final String requestedCursor;
    final boolean compress;
    /** Opened by the first valid {@code options_update} when the client asked {@code requireHello}. */
    final CountDownLatch hello;
    volatile JetstreamFilter filter;
    volatile Thread pump;
    volatile long lastSeq;
    volatile long eventsSent;
    volatile long bytesSent;
    /** System.nanoTime() when the current write began; 0 when not writing. */
    volatile long writeStartedNanos;
    volatile boolean closed;

    JetstreamConnection(long id, WsSession session, String remoteAddress, String userAgent, String requestedCursor,
                        boolean compress, boolean requireHello, JetstreamFilter filter) {
        this.id = id;
        this.session = session;
        this.remoteAddress = remoteAddress;
        this.userAgent = userAgent;
        this.requestedCursor = requestedCursor;
        this.compress = compress;
        this.hello = new CountDownLatch(requireHello ? 1 : 0);
        this.filter = filter;
    }

    /** Writes one event: a text frame of JSON, or a binary zstd frame; blocks while the socket is full. */
    /** @return the bytes written */
    int send(JetstreamEvent e, ZstdFrames zstd) {
        long start = System.nanoTime();
        writeStartedNanos = start == 0 ? 1 : start;
        try {
            int n;
            if (compress) {
                var frame = e.compressed(zstd);
                session.send(BufferData.create(frame), true);
                n = frame.length;
            } else {
                session.send(e.text(), true);
                n = e.json().length;
            }
            bytesSent += n;
            eventsSent++;
            return n;
        } finally {
            writeStartedNanos = 0;
        }
    }

    void ping() {
        writeStartedNanos = Math.max(1, System.nanoTime());
        try {
            session.ping(BufferData.empty());
        } finally {
            writeStartedNanos = 0;
        }
    }

    /** Closes with a code and reason (the reason cut to the 123 bytes a close frame holds). */
    void close(int code, String reason) {
        closed = true;
        wake();
        try {
            session.close(code, reason.length() > 120 ? reason.substring(0, 120) : reason);
        } catch (RuntimeException ignored) {
            // the socket is gone already
        }
    }

    void wake() {
        hello.countDown();
        var t = pump;
        if (t != null) {
            t.interrupt();
        }
    }

    /** How long the current write has been stuck, or 0. */
    long writeStuckNanos(long now) {
        long started = writeStartedNanos;
        return started == 0 ? 0 : now - started;
    }

    /** Cuts the TCP connection under a write that cannot progress: the blocked write fails and the pump ends. */
    void abort() {
        closed = true;
        wake();
        if (session.socketContext() instanceof ConnectionContext ctx) {
            try {
                ctx.serverSocket().close();
            } catch (RuntimeException ignored) {
                // already closed
            }
        }
    }

    JetstreamService.ConnectionView view(long head) {
        long last = lastSeq;
        return new JetstreamService.ConnectionView(id, remoteAddress, userAgent, connectedAt, requestedCursor,
                compress, filter.describe(), last, Math.max(0, head - last), eventsSent, bytesSent);
    }
}
