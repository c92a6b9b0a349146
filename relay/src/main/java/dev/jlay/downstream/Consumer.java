package dev.jlay.downstream;

import io.helidon.common.buffers.BufferData;
import io.helidon.webserver.ConnectionContext;
import io.helidon.websocket.WsSession;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicInteger;

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
    /** ConsumerTooSlow: {@link #FINE}, then {@link #TOO_SLOW}, then {@link #TOLD} or {@link #ABORTED}. */
    private final AtomicInteger slowness = new AtomicInteger(FINE);
    /** System.nanoTime() when the watchdog judged it too slow. */
    private volatile long judgedNanos;

    static final int FINE = 0;
    /** Judged too slow; the error frame is owed as soon as the blocked write returns. */
    static final int TOO_SLOW = 1;
    /** The error frame and the close were written. */
    static final int TOLD = 2;
    /** The write never returned within the grace period: the socket was cut. */
    static final int ABORTED = 3;

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

    int slowness() {
        return slowness.get();
    }

    boolean judgedTooSlow() {
        return slowness.get() == TOO_SLOW;
    }

    /** Watchdog: marks it too slow; false when it already was. */
    boolean judgeTooSlow(long now) {
        if (!slowness.compareAndSet(FINE, TOO_SLOW)) {
            return false;
        }
        judgedNanos = now; // read by the watchdog only, the thread that writes it
        return true;
    }

    long judgedNanos() {
        return judgedNanos;
    }

    /** Pump: the error frame and the close went out; false when the watchdog cut the socket first. */
    boolean told() {
        return slowness.compareAndSet(TOO_SLOW, TOLD);
    }

    /** Watchdog: the grace period is over; false when the pump told it meanwhile. */
    boolean giveUp() {
        return slowness.compareAndSet(TOO_SLOW, ABORTED);
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
