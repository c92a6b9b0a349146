package dev.jlay.jetstream;

import dev.jlay.downstream.WsFrameWriter;
import io.helidon.webserver.ConnectionContext;
import io.helidon.websocket.WsSession;
import java.time.Instant;
import java.util.concurrent.CountDownLatch;

/**
 * One {@code /subscribe} connection: its socket, its current filter (swapped whole by an {@code
 * options_update}), and the counters the watchdog and the listing read. Events go out from its pump
 * thread only, through a {@link WsFrameWriter} (as the firehose's consumers): several events ready at
 * once (a replay, or the ring's head ahead of it) go out in one write.
 */
final class JetstreamConnection {
    /** The most bytes of frames gathered into one write when several events are ready. */
    static final int BATCH_BYTES = 64 * 1024;
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
    volatile boolean closed;
    /** Frames to the socket, built by us from the shared bytes; its lock also orders our close frame. */
    private final WsFrameWriter wire;

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
        this.wire = new WsFrameWriter(session, () -> closed, BATCH_BYTES);
    }

    /**
     * Adds one event to this connection's pending write: a text frame of the shared JSON bytes (never
     * re-encoded per connection), or a binary zstd frame. Written when the batch is full, or by
     * {@link #flush} (the pump flushes before it waits); blocks while the socket is full.
     *
     * @return the bytes of the event
     */
    int send(JetstreamEvent e, ZstdFrames zstd) {
        int n;
        if (compress) {
            var frame = e.compressed(zstd);
            wire.append(false, frame);
            n = frame.length;
        } else {
            var json = e.json();
            wire.append(true, json);
            n = json.length;
        }
        bytesSent += n;
        eventsSent++;
        return n;
    }

    /** Writes the events added since the last write, in one write. */
    void flush() {
        wire.flush();
    }

    /** Writes what is pending, then a ping. */
    void ping() {
        wire.ping();
    }

    /** Closes with a code and reason (the reason cut to the 123 bytes a close frame holds). */
    void close(int code, String reason) {
        closed = true;
        wake(); // ends a blocked write of the pump, so the lock below comes free
        wire.locked(() -> {
            try {
                session.close(code, reason.length() > 120 ? reason.substring(0, 120) : reason);
            } catch (RuntimeException ignored) {
                // the socket is gone already
            }
        });
    }

    /** Waits for a write in progress (the pump was woken) so Helidon's close frame comes after it. */
    void awaitWrite() {
        wire.locked(() -> { });
    }

    /** Heap held for writing: the frame buffer. */
    long bufferBytes() {
        return wire.bufferBytes();
    }

    /** System.nanoTime() when the current write began, or 0. */
    long writeStartedNanos() {
        return wire.writeStartedNanos();
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
        return wire.writeStuckNanos(now);
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
