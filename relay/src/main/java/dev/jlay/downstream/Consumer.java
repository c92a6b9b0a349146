package dev.jlay.downstream;

import io.helidon.common.buffers.BufferData;
import io.helidon.webserver.ConnectionContext;
import io.helidon.websocket.WsSession;
import java.time.Instant;

/**
 * One connected subscribeRepos client: its socket and the counters the
 * registry, the watchdog and the admin API read. All writes to the socket go
 * through {@link #send} from the consumer's own thread.
 */
final class Consumer {
    final long id;
    final WsSession session;
    final String remoteAddress;
    final String userAgent;
    final Instant connectedAt = Instant.now();
    final String requestedCursor;
    volatile Thread pump;
    volatile long lastSentSeq;
    volatile long framesSent;
    /** System.nanoTime() when the current write began; 0 when not writing. */
    volatile long writeStartedNanos;
    volatile boolean closed;
    volatile boolean kicked;

    Consumer(long id, WsSession session, String remoteAddress, String userAgent, String requestedCursor) {
        this.id = id;
        this.session = session;
        this.remoteAddress = remoteAddress;
        this.userAgent = userAgent;
        this.requestedCursor = requestedCursor;
    }

    /** Writes one whole binary frame; blocks while the socket cannot take it (the watchdog watches). */
    void send(byte[] frame) {
        long start = System.nanoTime();
        writeStartedNanos = start == 0 ? 1 : start;
        try {
            session.send(BufferData.create(frame), true);
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

    /** Long the current write has been stuck, or 0. */
    long writeStuckNanos(long now) {
        long started = writeStartedNanos;
        return started == 0 ? 0 : now - started;
    }

    /** Cuts the TCP connection under a write that cannot progress: the blocked write fails and the pump ends. */
    void abort() {
        closed = true;
        var t = pump;
        if (t != null) {
            t.interrupt();
        }
        if (session.socketContext() instanceof ConnectionContext ctx) {
            try {
                ctx.serverSocket().close();
            } catch (RuntimeException ignored) {
                // already closed, or the socket cannot be reached; the interrupt still ends the write
            }
        }
    }

    ConsumerSnapshot snapshot(long head) {
        long sent = lastSentSeq;
        return new ConsumerSnapshot(id, remoteAddress, userAgent, connectedAt, requestedCursor, sent,
                Math.max(0, head - sent), framesSent);
    }
}
