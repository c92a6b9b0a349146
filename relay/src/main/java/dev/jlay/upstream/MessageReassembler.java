package dev.jlay.upstream;

import java.lang.System.Logger.Level;

import java.net.http.WebSocket;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletionStage;

/**
 * WebSocket callbacks: joins the parts of a message (the JDK splits large messages, and hosts may
 * fragment them) into one exact-size array, up to the frame cap. Parts of one message are
 * requested here; the next message is requested only by the reader.
 */
public final class MessageReassembler implements WebSocket.Listener {
    private static final System.Logger LOG = System.getLogger(MessageReassembler.class.getName());
    private final BlockingQueue<WsEvent> events;
    private final int max;
    private final ReassemblyBuffers held;
    // guarded by this: the JDK calls the listener on one thread at a time, but close() comes from the reader
    private byte[] buf;
    private int len;
    private boolean closed;
    private long oversizeBytes = -1; // >= 0 while discarding an oversized message
    private volatile boolean ponged;
    /**
     * Pings a host may send per second. The JDK answers each with a pong, so a host flooding pings
     * makes the relay write as fast as the host reads, and nothing counts it: the hostile-upstream
     * drill saw a ping flood push the other hosts' p99 from 0.2 s to 12 s. A keepalive needs one ping
     * every few seconds.
     */
    public static final int MAX_PINGS_PER_SECOND = 20;
    private long pingWindowStart = System.nanoTime();
    private int pingsInWindow; // callbacks of one WebSocket do not overlap
    private boolean pingFlood;

    public MessageReassembler(BlockingQueue<WsEvent> events, int max) {
        this(events, max, new ReassemblyBuffers(1, max));
    }

    /** @param held where the partial message's buffer is counted (shared by all host readers) */
    public MessageReassembler(BlockingQueue<WsEvent> events, int max, ReassemblyBuffers held) {
        this.events = events;
        this.max = max;
        this.held = held;
    }

    /** The connection is over: a partial message is let go (and no longer counted). */
    public synchronized void close() {
        closed = true;
        release();
    }

    /** Lets go of the partial message's buffer (and its share of the budget). */
    private void release() {
        if (buf != null) {
            held.tryResize(buf.length, 0);
        }
        buf = null;
        len = 0;
    }

    /** True if a pong arrived since the last call. */
    public boolean takePong() {
        boolean p = ponged;
        ponged = false;
        return p;
    }

    @Override
    public void onOpen(WebSocket ws) {
        ws.request(1);
    }

    @Override
    public synchronized CompletionStage<?> onBinary(WebSocket ws, ByteBuffer data, boolean last) {
        if (closed) {
            return null; // the reader is gone: hold nothing for it
        }
        int n = data.remaining();
        if (oversizeBytes >= 0) {
            oversizeBytes += n;
        } else if ((long) len + n > max) {
            oversizeBytes = (long) len + n;
            release();
        } else if (last && len == 0) {
            byte[] whole = new byte[n]; // the common case: one part, one copy
            data.get(whole);
            held.holdWhole(n); // until the reader hands it on (HostConnection releases it)
            emit(new WsEvent.Message(whole, System.nanoTime()));
            return null;
        } else if (!append(data, n, last)) {
            // the relay-wide budget is spent: the reader ends this connection and reads the message
            // again after a backoff; nothing more is held for it meanwhile
            release();
            closed = true;
            emit(new WsEvent.ReassemblyFull(held.bytes()));
            return null;
        }
        if (!last) {
            ws.request(1);
            return null;
        }
        if (oversizeBytes >= 0) {
            emit(new WsEvent.Oversize(oversizeBytes));
            oversizeBytes = -1;
        } else {
            held.holdWhole(len);
            // the last part made the buffer the message's exact size (append): it is handed on as it is
            byte[] whole = buf == null ? new byte[0] : buf.length == len ? buf : Arrays.copyOf(buf, len);
            emit(new WsEvent.Message(whole, System.nanoTime()));
            release(); // only the count: the reader owns the array now
        }
        return null;
    }

    /** False when the relay-wide budget cannot take the larger buffer this part needs. */
    private boolean append(ByteBuffer data, int n, boolean last) {
        if (n == 0) {
            return true; // an empty fragment: nothing to hold (and no buffer yet if it came first)
        }
        int have = buf == null ? 0 : buf.length;
        if (len + n > have) {
            // The first part is held at its exact size and the last part makes the buffer the
            // message's exact size, which is handed on without another copy; parts in between double
            // it. Most split messages are a 1-3 KB frame across a boundary of the JDK's 8 KiB read
            // buffer, two parts: they cost the message plus its first part, where an 8 KiB start and
            // a copy to exact size were over a third of the receive stage's bytes in the soak.
            int next = buf == null || last ? len + n
                    : (int) Math.min(max, Math.max((long) len + n, have * 2L));
            if (!held.tryResize(have, next)) {
                return false;
            }
            buf = buf == null ? new byte[next] : Arrays.copyOf(buf, next);
        }
        data.get(buf, len, n);
        len += n;
        return true;
    }

    @Override
    public CompletionStage<?> onText(WebSocket ws, CharSequence data, boolean last) {
        if (last) {
            emit(new WsEvent.Text());
        } else {
            ws.request(1);
        }
        return null;
    }

    @Override
    public CompletionStage<?> onPing(WebSocket ws, ByteBuffer message) {
        long now = System.nanoTime();
        if (now - pingWindowStart >= 1_000_000_000L) {
            pingWindowStart = now;
            pingsInWindow = 0;
        }
        if (++pingsInWindow > MAX_PINGS_PER_SECOND) {
            if (!pingFlood) {
                pingFlood = true;
                emit(new WsEvent.PingFlood()); // the reader ends the connection; nothing more is requested
            }
            return null;
        }
        ws.request(1); // the JDK answers the ping itself; a ping consumes one request
        return null;
    }

    @Override
    public CompletionStage<?> onPong(WebSocket ws, ByteBuffer message) {
        ws.request(1);
        ponged = true; // a flag, not an event: unsolicited pongs must not queue up
        return null;
    }

    @Override
    public CompletionStage<?> onClose(WebSocket ws, int statusCode, String reason) {
        emit(new WsEvent.Closed(statusCode, reason));
        return null;
    }

    @Override
    public void onError(WebSocket ws, Throwable error) {
        emit(new WsEvent.Failed(error));
    }

    private void emit(WsEvent e) {
        // one message outstanding plus a terminal event: the queue never fills; if it did, the
        // reader is gone and dropping is harmless
        if (!events.offer(e)) {
            if (e instanceof WsEvent.Message m) held.releaseWhole(m.bytes().length);
            LOG.log(Level.WARNING, "upstream reader queue full; event lost: " + e.getClass().getSimpleName());
        }
    }
}
