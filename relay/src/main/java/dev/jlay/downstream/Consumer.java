package dev.jlay.downstream;

import io.helidon.webserver.ConnectionContext;
import io.helidon.websocket.WsSession;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One connected subscribeRepos client: its socket and the counters the
 * registry, the watchdog and the admin API read. All writes to the socket go
 * through {@link #send} from the consumer's own thread.
 *
 * <p>Frames are written to the connection's socket writer as whole WebSocket frames by a {@link
 * WsFrameWriter}, not through {@code WsSession.send}: Helidon 4.5's send copies the payload into a
 * fresh array and then into its send buffer, 1.5 KB of garbage per frame per consumer (the corpus's
 * mean frame), which made fan-out to 50 consumers allocate 79 KB per frame ({@code FanoutBench}).
 * The only other writer on the socket is Helidon's close frame; every close of ours goes through
 * {@link #close} under the writer's lock, and the listener's onClose takes the lock before Helidon
 * answers a client's close, so a close frame never lands inside a data frame.
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
    /** System.nanoTime() of the last keepalive ping (or the stream's start); the watchdog wakes the pump when one is due. */
    volatile long lastPingNanos;
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

    /** Frames to the socket, built by us (see the class comment); its lock also orders our close frame. */
    private final WsFrameWriter wire;

    Consumer(long id, WsSession session, String remoteAddress, String userAgent, String requestedCursor) {
        this.id = id;
        this.session = session;
        this.remoteAddress = remoteAddress;
        this.userAgent = userAgent;
        this.requestedCursor = requestedCursor;
        // one frame per write: the pump sends each frame as soon as it has it
        this.wire = new WsFrameWriter(session, () -> closed, 0);
    }

    /** Writes one whole binary frame; blocks while the socket cannot take it (the watchdog watches). */
    void send(byte[] frame) {
        wire.binary(frame);
    }

    void ping() {
        wire.ping();
    }

    /**
     * Marks it closed and sends Helidon's close frame, under the write lock so the close frame never
     * lands inside a frame of ours; {@code code} 0 sends nothing (the client closed first, and
     * Helidon answers it once this returns).
     */
    void close(int code, String reason) {
        wire.locked(() -> {
            boolean wasClosed = closed;
            closed = true;
            if (code != 0 && !wasClosed) {
                session.close(code, reason);
            }
        });
    }

    /** Heap this consumer holds for writing: its frame buffer (the registry adds the fixed part). */
    long bufferBytes() {
        return wire.bufferBytes();
    }

    /** Long the current write has been stuck, or 0. */
    long writeStuckNanos(long now) {
        return wire.writeStuckNanos(now);
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
