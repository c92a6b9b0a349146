package dev.jlay.upstream;

import dev.jlay.net.ForbiddenAddressException;

import dev.jlay.net.AddressGuard;

import dev.jlay.atproto.ProtocolException;
import dev.jlay.atproto.cbor.DagCbor;
import dev.jlay.atproto.stream.FrameHeader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.function.LongSupplier;
import java.lang.System.Logger.Level;

/**
 * One upstream host's {@code subscribeRepos} stream, read on one virtual thread, forever: connect,
 * read, and on any end reconnect after a capped exponential backoff, resuming from the cursor the
 * pipeline says is processed.
 *
 * <p>Per message the reader peeks the header and the payload's {@code seq} and repo DID (nothing is
 * decoded), checks that seq increases, waits for the rate limiter, and puts the exact bytes into the
 * {@link FrameSink}. Flow control is explicit: the JDK WebSocket delivers one message per
 * {@code request(1)}, and the reader asks for the next one only after the sink took the previous. A
 * full sink therefore stops reading the socket; nothing is dropped for lack of room.
 */
public final class HostConnection implements HostFrameSeries.Source {
    private static final System.Logger LOG = System.getLogger(HostConnection.class.getName());
    private static final Set<String> REPO_TYPES = Set.of("#commit", "#sync", "#identity", "#account");

    private final String host;
    private final URI base;
    private final ConnectionConfig config;
    private final HttpClient http;
    private final AddressGuard guard;
    private final FrameSink sink;
    private final LongSupplier cursor;
    private final HostListener listener;
    private final UpstreamMeters meters;
    private final ReassemblyBuffers reassembly;
    private volatile ConnectPacer pacer = new ConnectPacer(0);
    private volatile RateLimiter rateLimiter;

    private volatile boolean running;
    private volatile Thread thread;
    private volatile WebSocket socket;
    private volatile Keepalive keepalive; // the open session's, for pings while the reader waits

    // status, written by the reader thread, read by anyone
    private volatile HostConnectionStatus.State state = HostConnectionStatus.State.STOPPED;
    private volatile Instant backoffUntil;
    private volatile Instant connectedSince;
    private volatile long resumeCursor;
    private volatile boolean blockedOnSink;
    private volatile boolean throttled;
    private volatile String lastError;
    private DisconnectReason endReason; // the reader thread's own: why session() returned
    private volatile DisconnectReason lastDisconnect;
    private final AtomicLong lastSeq = new AtomicLong();
    private final AtomicLong framesReceived = new AtomicLong();
    private final AtomicLong framesForwarded = new AtomicLong();
    private final AtomicLong bytesReceived = new AtomicLong();
    private final AtomicLong connects = new AtomicLong();
    private final AtomicLong failures = new AtomicLong();
    private final AtomicLongArray drops = new AtomicLongArray(UpstreamDropReason.values().length);

    /**
     * @param host   a bare hostname or a URL (see {@link SubscribeUri#base})
     * @param cursor the host's last processed seq (0 or less: none); asked on every connect
     */
    public HostConnection(String host, ConnectionConfig config, HttpClient http, AddressGuard guard, FrameSink sink,
                          LongSupplier cursor, RateLimiter rateLimiter, HostListener listener, UpstreamMeters meters) {
        this(host, config, http, guard, sink, cursor, rateLimiter, listener, meters,
                new ReassemblyBuffers(1, config.maxFrameBytes()));
    }

    /** @param reassembly counts this reader's partial message with every other reader's */
    public HostConnection(String host, ConnectionConfig config, HttpClient http, AddressGuard guard, FrameSink sink,
                          LongSupplier cursor, RateLimiter rateLimiter, HostListener listener, UpstreamMeters meters,
                          ReassemblyBuffers reassembly) {
        this.reassembly = reassembly;
        this.host = host;
        this.base = SubscribeUri.base(host, config.allowInsecureHosts());
        this.config = config;
        this.http = http;
        this.guard = guard;
        this.sink = sink;
        this.cursor = cursor;
        this.rateLimiter = rateLimiter;
        this.listener = listener;
        this.meters = meters;
    }

    @Override
    public String host() {
        return host;
    }

    public URI baseUri() {
        return base;
    }

    /** The pace this reader's connection attempts share with the others (the manager's). */
    void pacedBy(ConnectPacer p) {
        this.pacer = p;
    }

    /** Replaces the rate limit (admin changed the host's limits); takes effect on the next frame. */
    public void setRateLimiter(RateLimiter limiter) {
        this.rateLimiter = limiter;
    }

    public synchronized void start() {
        if (running) {
            return;
        }
        running = true;
        state = HostConnectionStatus.State.CONNECTING;
        thread = Thread.ofVirtual().name("upstream-" + host).start(this::run);
    }

    /** Stops reading and closes the socket; returns once the reader has ended (or after 5 s). */
    public void stop() {
        Thread t;
        synchronized (this) {
            running = false;
            t = thread;
        }
        WebSocket ws = socket;
        if (ws != null) {
            ws.abort();
        }
        if (t != null) {
            t.interrupt();
            try {
                t.join(5_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        state = HostConnectionStatus.State.STOPPED;
    }

    HostConnectionStatus.State state() {
        return state;
    }

    public boolean isRunning() {
        return running;
    }

    /** Messages received from this host by this connection (for relay_host_frames_total). */
    @Override
    public long framesReceived() {
        return framesReceived.get();
    }

    public HostConnectionStatus status() {
        Map<UpstreamDropReason, Long> byReason = new EnumMap<>(UpstreamDropReason.class);
        for (UpstreamDropReason r : UpstreamDropReason.values()) {
            long n = drops.get(r.ordinal());
            if (n > 0) {
                byReason.put(r, n);
            }
        }
        HostConnectionStatus.State s = state;
        return new HostConnectionStatus(host, s, s == HostConnectionStatus.State.BACKOFF ? backoffUntil : null,
                s == HostConnectionStatus.State.CONNECTED ? connectedSince : null, lastSeq.get(), resumeCursor,
                framesReceived.get(), framesForwarded.get(), bytesReceived.get(), connects.get(), failures.get(),
                Map.copyOf(byReason), blockedOnSink, throttled, lastError);
    }

    private void run() {
        int attempt = 0;
        while (running) {
            state = HostConnectionStatus.State.CONNECTING;
            boolean progressed = false;
            DisconnectReason why;
            String detail;
            endReason = null;
            try {
                progressed = session();
                why = endReason != null ? endReason : DisconnectReason.UNEXPECTED;
                detail = lastError;
            } catch (InterruptedException e) {
                why = DisconnectReason.STOPPED;
                detail = "stopped";
            } catch (ForbiddenAddressException e) {
                why = DisconnectReason.FORBIDDEN_ADDRESS;
                detail = e.getMessage();
            } catch (ExecutionException e) {
                why = DisconnectReason.CONNECT_FAILED;
                detail = "connect failed: " + e.getCause();
            } catch (TimeoutException e) {
                why = DisconnectReason.CONNECT_TIMEOUT;
                detail = "connect timed out";
            } catch (RuntimeException e) {
                // a bug must not end the host's reader: log it and go round again
                LOG.log(Level.WARNING, "upstream " + host + ": unexpected", e);
                why = DisconnectReason.UNEXPECTED;
                detail = "unexpected: " + e;
            } finally {
                keepalive = null;
                WebSocket ws = socket;
                socket = null;
                if (ws != null) {
                    ws.abort();
                }
                blockedOnSink = false;
                throttled = false;
            }
            if (!running) {
                ended(DisconnectReason.STOPPED, "the relay stopped reading the host");
                break;
            }
            failures.incrementAndGet();
            lastError = detail;
            ended(why, detail);
            listener.onDisconnected(host, detail);
            // a host that sends garbage is retried with a growing backoff even if frames came before it:
            // otherwise one good frame per connection would buy it a reconnect every second forever
            boolean fresh = progressed && !hostile(why);
            attempt = fresh ? 0 : attempt + 1;
            var delay = config.backoff().delay(fresh ? 0 : attempt - 1, ThreadLocalRandom.current());
            backoffUntil = Instant.now().plus(delay);
            state = HostConnectionStatus.State.BACKOFF;
            try {
                TimeUnit.NANOSECONDS.sleep(delay.toNanos());
            } catch (InterruptedException e) {
                break;
            }
        }
        state = HostConnectionStatus.State.STOPPED;
    }

    private static boolean hostile(DisconnectReason why) {
        return switch (why) {
            case MALFORMED, PING_FLOOD, ERROR_FRAME -> true;
            default -> false;
        };
    }

    /** Counts and logs (rate-limited) the end of a connection or of an attempt to open one. */
    private void ended(DisconnectReason why, String detail) {
        lastDisconnect = why;
        meters.disconnects[why.ordinal()].increment();
        // a stop is the relay's own doing (shutdown, ban) and logged where it is decided: 10,000
        // hosts stopping at shutdown would be 20 lines and a summary saying nothing new
        if (why != DisconnectReason.STOPPED) meters.disconnectLog().ended(host, why, detail);
    }

    /** Why the last connection ended (null before the first end). */
    public DisconnectReason lastDisconnect() {
        return lastDisconnect;
    }

    /**
     * Pings the host if the reader is deliberately not reading it (waiting for room in the sink,
     * or for its rate limit) and a ping is due. The reader pings only between messages; without
     * this a host that closes connections it has read nothing from (Helidon does after 5 minutes)
     * would drop a relay that backpressures it for longer, and the reconnect would put the relay
     * further behind the host's history. Called by the manager's one timer for all hosts.
     */
    void keepaliveWhileWaiting(long now) {
        var k = keepalive;
        if (k != null && (blockedOnSink || throttled)) k.pingIfDue(now);
    }

    /** One connection, from handshake to close. True if at least one frame was handed on. */
    private boolean session() throws InterruptedException, ForbiddenAddressException, ExecutionException,
            TimeoutException {
        long resume = Math.max(0, cursor.getAsLong());
        resumeCursor = resume;
        URI uri = SubscribeUri.subscribe(base, resume);
        guard.check(uri.getHost());
        pacer.await(); // every reader's attempts share one pace: no reconnect storm
        BlockingQueue<WsEvent> events = new ArrayBlockingQueue<>(8);
        var reassembler = new MessageReassembler(events, config.maxFrameBytes(), reassembly);
        try {
            return session(uri, resume, events, reassembler);
        } finally {
            reassembler.close(); // a message cut off by the end of the connection is let go
            for (WsEvent left; (left = events.poll()) != null; ) {
                if (left instanceof WsEvent.Message m) reassembly.releaseWhole(m.bytes().length); // never handled
            }
        }
    }

    private boolean session(URI uri, long resume, BlockingQueue<WsEvent> events, MessageReassembler reassembler)
            throws InterruptedException, ExecutionException, TimeoutException {
        CompletableFuture<WebSocket> opening = http.newWebSocketBuilder()
                .connectTimeout(config.connectTimeout())
                .buildAsync(uri, reassembler);
        WebSocket ws;
        try {
            ws = opening.get(config.connectTimeout().toNanos() * 2, TimeUnit.NANOSECONDS);
        } catch (InterruptedException | TimeoutException e) {
            opening.cancel(true);
            throw e;
        }
        socket = ws;
        if (!running) {
            return false;
        }
        connects.incrementAndGet();
        meters.connects.increment();
        connectedSince = Instant.now();
        state = HostConnectionStatus.State.CONNECTED;
        listener.onConnected(host, resume);
        long sessionSeq = resume;
        boolean progressed = false;
        long pingNanos = config.pingInterval().toNanos();
        boolean pingOutstanding = false;
        var keepalive = new Keepalive(ws, pingNanos);
        this.keepalive = keepalive;
        while (true) {
            WsEvent event = pingNanos > 0 ? events.poll(pingNanos, TimeUnit.NANOSECONDS) : events.take();
            if (event == null) {
                boolean answered = reassembler.takePong();
                if (pingOutstanding && !answered) {
                    lastError = "no frame and no pong for " + config.pingInterval().multipliedBy(2) + ": dead";
                    endReason = DisconnectReason.KEEPALIVE_TIMEOUT;
                    return progressed;
                }
                keepalive.ping(System.nanoTime());
                pingOutstanding = true;
                continue;
            }
            pingOutstanding = false;
            switch (event) {
                case WsEvent.Message m -> {
                    long seq;
                    try {
                        seq = handle(m.bytes(), m.receivedNanos(), sessionSeq);
                    } finally {
                        reassembly.releaseWhole(m.bytes().length); // taken by the sink, or dropped
                    }
                    if (seq == END_SESSION) {
                        return progressed; // handle() set endReason
                    }
                    if (seq > 0) {
                        sessionSeq = seq;
                        progressed = true;
                    }
                    ws.request(1);
                    keepalive.pingIfDue(m.receivedNanos());
                }
                case WsEvent.Oversize o -> {
                    framesReceived.incrementAndGet();
                    bytesReceived.addAndGet(o.bytes());
                    meters.messages.increment();
                    meters.bytes.add(o.bytes());
                    drop(UpstreamDropReason.OVERSIZE, "message of " + o.bytes() + " bytes over the cap");
                    ws.request(1);
                }
                case WsEvent.Text t -> {
                    drop(UpstreamDropReason.TEXT_MESSAGE, null);
                    ws.request(1);
                }
                case WsEvent.PingFlood p -> {
                    drop(UpstreamDropReason.PING_FLOOD, "more than " + MessageReassembler.MAX_PINGS_PER_SECOND
                            + " pings in a second: closed");
                    endReason = DisconnectReason.PING_FLOOD;
                    return progressed;
                }
                case WsEvent.ReassemblyFull r -> {
                    drop(UpstreamDropReason.REASSEMBLY_FULL, "the readers' partial messages hold "
                            + r.heldBytes() + " bytes, the relay-wide budget: closed, to read again after a backoff");
                    endReason = DisconnectReason.REASSEMBLY_FULL;
                    return progressed;
                }
                case WsEvent.Closed c -> {
                    lastError = "closed by host: " + c.code() + (c.reason().isEmpty() ? "" : " " + c.reason());
                    endReason = DisconnectReason.REMOTE_CLOSE;
                    return progressed;
                }
                case WsEvent.Failed f -> {
                    lastError = "connection failed: " + f.error();
                    endReason = DisconnectReason.READ_ERROR;
                    return progressed;
                }
            }
        }
    }

    private static final long END_SESSION = -2;

    /**
     * Pings the host once per interval even while frames stream in. A server that times out
     * connections by what it reads (Helidon closes a WebSocket after 5 minutes without an inbound
     * frame, however much it sends) would otherwise drop a busy subscriber; the pong is that frame.
     */
    private static final class Keepalive {
        private final WebSocket ws;
        private final long intervalNanos;
        private long lastNanos = System.nanoTime();
        private CompletableFuture<WebSocket> pending;

        Keepalive(WebSocket ws, long intervalNanos) {
            this.ws = ws;
            this.intervalNanos = intervalNanos;
        }

        synchronized void pingIfDue(long now) {
            if (intervalNanos > 0 && now - lastNanos >= intervalNanos) ping(now);
        }

        synchronized void ping(long now) {
            lastNanos = now;
            if (pending != null && !pending.isDone()) return; // the last one is still queued: the socket is stuck anyway
            try {
                pending = ws.sendPing(ByteBuffer.allocate(0)); // a failure shows up as onError/onClose
            } catch (IllegalStateException busy) {
                // a ping or the JDK's own pong is still being written; the next interval tries again
            }
        }
    }

    /**
     * Handles one complete message. Returns its seq if it was handed on, 0 if it was skipped, or
     * {@link #END_SESSION} if the connection must end (malformed bytes, error frame).
     */
    private long handle(byte[] frame, long receivedNanos, long sessionSeq) throws InterruptedException {
        long t0 = System.nanoTime();
        framesReceived.incrementAndGet();
        bytesReceived.addAndGet(frame.length);
        meters.messages.increment();
        meters.bytes.add(frame.length);
        FrameHeader header;
        PayloadFields fields;
        try {
            header = FrameHeader.peek(frame);
            if (header.isError()) {
                String[] err = errorFields(frame, header.payloadOffset(), "error", "message");
                drop(UpstreamDropReason.ERROR_FRAME, "error frame " + err[0] + (err[1] == null ? "" : ": " + err[1]));
                listener.onErrorFrame(host, err[0], err[1]);
                endReason = DisconnectReason.ERROR_FRAME;
                return END_SESSION; // the spec makes an error frame the last one
            }
            if (!header.isMessage()) {
                drop(UpstreamDropReason.UNKNOWN_OP, null);
                return 0;
            }
            if ("#info".equals(header.type())) {
                String[] info = errorFields(frame, header.payloadOffset(), "name", "message");
                drop(UpstreamDropReason.INFO, null);
                LOG.log(Level.INFO, () -> "upstream " + host + ": #info " + info[0] + (info[1] == null ? "" : ": " + info[1]));
                listener.onInfo(host, info[0], info[1]);
                return 0;
            }
            if (!REPO_TYPES.contains(header.type())) {
                drop(UpstreamDropReason.UNKNOWN_TYPE, null);
                return 0;
            }
            fields = PayloadFields.scan(frame, header.payloadOffset());
        } catch (ProtocolException e) {
            drop(UpstreamDropReason.MALFORMED, "malformed frame: " + e.getMessage());
            endReason = DisconnectReason.MALFORMED;
            return END_SESSION; // the spec: invalid framing or CBOR closes the connection
        }
        if (fields.seq() <= 0) {
            drop(UpstreamDropReason.MISSING_SEQ, null);
            return 0;
        }
        if (fields.seq() <= sessionSeq) {
            drop(UpstreamDropReason.SEQ_NOT_INCREASING, "seq " + fields.seq() + " after " + sessionSeq);
            return 0;
        }
        if (fields.did() == null) {
            drop(UpstreamDropReason.MISSING_DID, null);
            return 0;
        }
        var frameOut = new UpstreamFrame(host, header.type(), fields.seq(), fields.did(), frame,
                header.payloadOffset(), receivedNanos);
        if (meters.receive != null) {
            meters.receive.record(1, t0, -1); // peek + checks; virtual thread: no allocation figure
        }
        RateLimiter limiter = rateLimiter;
        if (limiter.wouldWait()) {
            throttled = true;
        }
        limiter.acquire();
        throttled = false;
        if (!sink.offer(frameOut)) {
            blockedOnSink = true;
            meters.sinkWaits.increment();
            sink.put(frameOut);
            blockedOnSink = false;
        }
        framesForwarded.incrementAndGet();
        meters.forwarded.increment();
        lastSeq.set(fields.seq());
        return fields.seq();
    }

    private void drop(UpstreamDropReason reason, String detail) {
        drops.incrementAndGet(reason.ordinal());
        meters.drops[reason.ordinal()].increment();
        if (detail != null) {
            lastError = detail;
        }
    }

    /** Two optional text fields of a small payload (error and #info frames); never throws. */
    private static String[] errorFields(byte[] frame, int offset, String first, String second) {
        String[] out = new String[2];
        try {
            if (DagCbor.decode(frame, offset, frame.length - offset) instanceof Map<?, ?> m) {
                out[0] = m.get(first) instanceof String s ? s : null;
                out[1] = m.get(second) instanceof String s ? s : null;
            }
        } catch (ProtocolException e) {
            // a broken error frame still ends the session; its text is just unknown
        }
        return out;
    }
}
