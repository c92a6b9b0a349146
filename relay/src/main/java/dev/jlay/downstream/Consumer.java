package dev.jlay.downstream;

import io.helidon.common.buffers.BufferData;
import io.helidon.common.buffers.DataWriter;
import io.helidon.webserver.ConnectionContext;
import io.helidon.websocket.WsSession;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.ReentrantLock;

/**
 * One connected subscribeRepos client: its socket and the counters the
 * registry, the watchdog and the admin API read. All writes to the socket go
 * through {@link #send} from the consumer's own thread.
 *
 * <p>Frames are written to the connection's socket writer as whole WebSocket frames built here, not
 * through {@code WsSession.send}: Helidon 4.5's send copies the payload into a fresh array and then
 * into its send buffer, 1.5 KB of garbage per frame per consumer (the corpus's mean frame), which
 * made fan-out to 50 consumers allocate 79 KB per frame ({@code FanoutBench}). Here the header and
 * the shared frame are copied once into this consumer's own reused buffer (frames up to
 * {@link #COPY_LIMIT}) or written as header then frame (larger ones), so a send allocates nothing.
 * The only other writer on the socket is Helidon's close frame; every close of ours goes through
 * {@link #close} under {@link #writeLock}, and the listener's onClose takes the lock before Helidon
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

    /** Frames up to this size go out in one write from {@link #wire}; larger ones as header, then frame. */
    static final int COPY_LIMIT = 16 * 1024;
    /** The most a WebSocket frame header of ours takes: 2 bytes, then an 8-byte length. */
    private static final int HEADER_MAX = 10;
    private static final int OP_BINARY = 0x82;
    private static final int OP_PING = 0x89;

    /** The connection's socket writer; null when the session is no server connection (then Helidon's send). */
    private final DataWriter writer;
    /** This consumer's frame buffer, grown to the largest frame it copied (at most COPY_LIMIT + 10). */
    private final BufferData wire = BufferData.growing(1024);
    /** The largest frame copied into {@link #wire} so far, for the memory estimate. */
    private volatile int wireHighWater = 1024;
    private final ReentrantLock writeLock = new ReentrantLock();

    Consumer(long id, WsSession session, String remoteAddress, String userAgent, String requestedCursor) {
        this.id = id;
        this.session = session;
        this.remoteAddress = remoteAddress;
        this.userAgent = userAgent;
        this.requestedCursor = requestedCursor;
        this.writer = session.socketContext() instanceof ConnectionContext ctx ? ctx.dataWriter() : null;
    }

    /** Writes one whole binary frame; blocks while the socket cannot take it (the watchdog watches). */
    void send(byte[] frame) {
        long start = System.nanoTime();
        writeStartedNanos = start == 0 ? 1 : start;
        writeLock.lock();
        try {
            if (closed) {
                throw new IllegalStateException("consumer " + id + " is closed");
            }
            if (writer == null) {
                session.send(BufferData.create(frame), true);
            } else if (frame.length <= COPY_LIMIT) {
                wire.clear();
                header(OP_BINARY, frame.length);
                wire.write(frame, 0, frame.length);
                if (frame.length > wireHighWater) {
                    wireHighWater = frame.length;
                }
                writer.writeNow(wire);
            } else {
                wire.clear();
                header(OP_BINARY, frame.length);
                writer.writeNow(wire);
                writer.writeNow(BufferData.create(frame)); // one small wrapper, for large frames only
            }
        } finally {
            writeLock.unlock();
            writeStartedNanos = 0;
        }
    }

    void ping() {
        writeStartedNanos = Math.max(1, System.nanoTime());
        writeLock.lock();
        try {
            if (closed) {
                return;
            }
            if (writer == null) {
                session.ping(BufferData.empty());
            } else {
                wire.clear();
                header(OP_PING, 0);
                writer.writeNow(wire);
            }
        } finally {
            writeLock.unlock();
            writeStartedNanos = 0;
        }
    }

    /** A final, unmasked server frame header (RFC 6455 5.2). */
    private void header(int opcode, int length) {
        wire.write(opcode);
        if (length < 126) {
            wire.write(length);
        } else if (length < 65536) {
            wire.write(126);
            wire.write(length >>> 8);
            wire.write(length & 0xFF);
        } else {
            wire.write(127);
            for (int shift = 56; shift >= 0; shift -= 8) {
                wire.write((int) (((long) length >>> shift) & 0xFF));
            }
        }
    }

    /**
     * Marks it closed and sends Helidon's close frame, under the write lock so the close frame never
     * lands inside a frame of ours; {@code code} 0 sends nothing (the client closed first, and
     * Helidon answers it once this returns).
     */
    void close(int code, String reason) {
        writeLock.lock();
        try {
            boolean wasClosed = closed;
            closed = true;
            if (code != 0 && !wasClosed) {
                session.close(code, reason);
            }
        } finally {
            writeLock.unlock();
        }
    }

    /** Heap this consumer holds for writing: its frame buffer (the registry adds the fixed part). */
    long bufferBytes() {
        return wireHighWater + HEADER_MAX + 16L;
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
