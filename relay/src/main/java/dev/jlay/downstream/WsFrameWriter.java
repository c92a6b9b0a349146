package dev.jlay.downstream;

import io.helidon.common.buffers.BufferData;
import io.helidon.common.buffers.DataWriter;
import io.helidon.webserver.ConnectionContext;
import io.helidon.websocket.WsSession;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.BooleanSupplier;

/**
 * Writes whole, unmasked server WebSocket frames (RFC 6455 5.2) straight to a connection's socket
 * writer, for the firehose's consumers and Jetstream's connections.
 *
 * <p>Not through {@code WsSession.send}: Helidon 4.5's send copies the payload into a fresh array
 * and then into its send buffer (and a String is re-encoded to UTF-8 per connection). Here header
 * and payload are copied once into this writer's own reused buffer (payloads up to {@link
 * #COPY_LIMIT}) or written as header, then payload (larger ones), so a frame allocates nothing.
 * Frames may be {@linkplain #append appended} several to a write, up to the batch limit, then
 * {@linkplain #flush flushed} with one syscall; the buffer never holds more than the batch limit.
 *
 * <p>The only other writer on the socket is Helidon's close frame; callers send theirs under
 * {@link #locked}, and Helidon's answer to a client's close comes after the listener took the lock,
 * so a close frame never lands inside a frame of ours. When the session is no server connection
 * (no socket writer), frames go through Helidon's send, one at a time.
 */
public final class WsFrameWriter {
    /** Payloads up to this size are copied into the buffer; larger ones are written from the caller's array. */
    public static final int COPY_LIMIT = 16 * 1024;
    /** The most a frame header of ours takes: 2 bytes, then an 8-byte length. */
    static final int HEADER_MAX = 10;
    private static final int OP_TEXT = 0x81;
    private static final int OP_BINARY = 0x82;
    private static final int OP_PING = 0x89;
    private static final int INITIAL = 1024;

    private final WsSession session;
    private final DataWriter writer;
    private final BooleanSupplier closed;
    private final int batchLimit;
    /** Frames not yet written; its capacity grows to at most the batch limit (or one copied frame). */
    private final BufferData wire = BufferData.growing(INITIAL);
    private final ReentrantLock lock = new ReentrantLock();
    /** The buffer's capacity, for the memory estimate (read by the metrics thread). */
    private volatile int capacity = INITIAL;
    /** System.nanoTime() when the current write began; 0 when not writing. */
    private volatile long writeStartedNanos;

    /**
     * @param closed     true once the connection is closed: appends and writes then fail
     * @param batchLimit the most bytes {@link #append} gathers before it writes (at least one
     *                   copied frame: {@link #COPY_LIMIT} plus a header)
     */
    public WsFrameWriter(WsSession session, BooleanSupplier closed, int batchLimit) {
        this.session = session;
        this.closed = closed;
        this.batchLimit = Math.max(batchLimit, COPY_LIMIT + HEADER_MAX);
        this.writer = session.socketContext() instanceof ConnectionContext ctx ? ctx.dataWriter() : null;
    }

    /** Writes one binary frame now; blocks while the socket cannot take it. */
    public void binary(byte[] payload) {
        write(OP_BINARY, payload);
    }

    /** Writes one text frame of UTF-8 bytes now. */
    public void text(byte[] utf8) {
        write(OP_TEXT, utf8);
    }

    private void write(int opcode, byte[] payload) {
        begin();
        lock.lock();
        try {
            checkOpen();
            add(opcode, payload);
            writePending();
        } finally {
            lock.unlock();
            writeStartedNanos = 0;
        }
    }

    /**
     * Adds a frame to the pending batch: written at once when it is over the copy limit or the batch
     * would pass its limit, else by the next {@link #flush} (the caller flushes before it waits).
     */
    public void append(boolean text, byte[] payload) {
        lock.lock();
        try {
            checkOpen();
            if (writer == null) {
                begin();
                sendThroughSession(text ? OP_TEXT : OP_BINARY, payload);
                return;
            }
            if (payload.length <= COPY_LIMIT && wire.available() + HEADER_MAX + payload.length > batchLimit) {
                begin();
                writePending();
            }
            if (payload.length > COPY_LIMIT) {
                begin();
            }
            add(text ? OP_TEXT : OP_BINARY, payload);
        } finally {
            lock.unlock();
            writeStartedNanos = 0;
        }
    }

    /** Writes the pending frames, if any, in one write. */
    public void flush() {
        lock.lock();
        try {
            if (wire.available() == 0) {
                return;
            }
            checkOpen();
            begin();
            writePending();
        } finally {
            lock.unlock();
            writeStartedNanos = 0;
        }
    }

    /** Writes the pending frames and a ping; nothing when closed. */
    public void ping() {
        begin();
        lock.lock();
        try {
            if (closed.getAsBoolean()) {
                return;
            }
            if (writer == null) {
                session.ping(BufferData.empty());
            } else {
                writePending(); // first, so the ping's header cannot push the buffer past its limit
                header(OP_PING, 0);
                writePending();
            }
        } finally {
            lock.unlock();
            writeStartedNanos = 0;
        }
    }

    /** Runs {@code action} (a close) while no frame is being written; pending frames are dropped. */
    public void locked(Runnable action) {
        lock.lock();
        try {
            wire.clear();
            action.run();
        } finally {
            lock.unlock();
        }
    }

    /** How long the current write has been stuck, or 0. */
    public long writeStuckNanos(long now) {
        long started = writeStartedNanos;
        return started == 0 ? 0 : now - started;
    }

    /** System.nanoTime() when the current write began, or 0. */
    public long writeStartedNanos() {
        return writeStartedNanos;
    }

    /** Heap this writer holds: its frame buffer. */
    public long bufferBytes() {
        return capacity + 16L;
    }

    private void begin() {
        if (writeStartedNanos == 0) {
            writeStartedNanos = Math.max(1, System.nanoTime());
        }
    }

    private void checkOpen() {
        if (closed.getAsBoolean()) {
            wire.clear();
            throw new IllegalStateException("connection is closed");
        }
    }

    /** Copies a frame into the buffer, or (over the copy limit) writes the buffer with its header, then the payload. */
    private void add(int opcode, byte[] payload) {
        if (writer == null) {
            sendThroughSession(opcode, payload);
            return;
        }
        if (payload.length <= COPY_LIMIT) {
            header(opcode, payload.length);
            wire.write(payload, 0, payload.length);
            int c = wire.capacity();
            if (c > capacity) {
                capacity = c;
            }
        } else {
            if (wire.available() + HEADER_MAX > batchLimit) {
                writePending();
            }
            header(opcode, payload.length);
            writePending();
            writer.writeNow(BufferData.create(payload)); // one small wrapper, for large frames only
        }
    }

    private void writePending() {
        if (writer != null && wire.available() > 0) {
            try {
                writer.writeNow(wire);
            } finally {
                wire.clear();
            }
        }
    }

    private void sendThroughSession(int opcode, byte[] payload) {
        if (opcode == OP_TEXT) {
            session.send(new String(payload, StandardCharsets.UTF_8), true);
        } else {
            session.send(BufferData.create(payload), true);
        }
    }

    /** A final, unmasked server frame header. */
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
}
