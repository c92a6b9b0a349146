package dev.jlay.sim;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.jlay.atproto.ProtocolException;
import dev.jlay.atproto.stream.ErrorMessage;
import dev.jlay.atproto.stream.FirehoseCodec;
import dev.jlay.atproto.stream.InfoMessage;
import dev.jlay.atproto.stream.SeqStamp;
import io.helidon.common.buffers.BufferData;
import io.helidon.http.HeaderNames;
import io.helidon.http.Headers;
import io.helidon.http.HttpPrologue;
import io.helidon.http.Status;
import io.helidon.webserver.WebServer;
import io.helidon.webserver.http.HttpRouting;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import io.helidon.webserver.websocket.WsRouting;
import io.helidon.websocket.WsCloseCodes;
import io.helidon.websocket.WsListener;
import io.helidon.websocket.WsSession;
import java.net.URI;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * One simulated PDS on 127.0.0.1: a Helidon WebServer serving
 * {@code com.atproto.sync.subscribeRepos} (cursor = events with seq greater than it, from
 * this host's own bounded {@link EventHistory}; {@code #info OutdatedCursor} when the
 * cursor fell out of it, {@code FutureCursor} beyond the head),
 * {@code com.atproto.server.describeServer}, {@code /_health}, and a small control surface
 * ({@code GET /_sim/status}, {@code POST /_sim/fault?kind=..&count=N|fraction=F}).
 *
 * <p>One emitter thread takes frames from a {@link FrameSource}, puts any due
 * {@link FaultInjector faults} before them, stamps the seq and appends them to the
 * history at {@link Settings#rate()} frames/s (0 = as fast as the subscribers read).
 */
public final class SimHost implements AutoCloseable {
    public static final String SUBSCRIBE_PATH = "/xrpc/com.atproto.sync.subscribeRepos";
    private static final ObjectMapper JSON = new ObjectMapper();

    /**
     * @param rate frames per second, 0 for as fast as possible
     * @param maxFrames real events to emit before going quiet, -1 for no end
     * @param waitForSubscriber start emitting only once someone is reading (so nothing is missed)
     */
    public record Settings(int port, EventHistory.Limits history, boolean lossless, double rate, long maxFrames,
                           boolean waitForSubscriber) {
        public static Settings defaults() {
            return new Settings(0, EventHistory.Limits.DEFAULT, true, 0, -1, true);
        }

        public Settings withPort(int p) {
            return new Settings(p, history, lossless, rate, maxFrames, waitForSubscriber);
        }

        public Settings withRate(double r) {
            return new Settings(port, history, lossless, r, maxFrames, waitForSubscriber);
        }

        public Settings withMaxFrames(long n) {
            return new Settings(port, history, lossless, rate, n, waitForSubscriber);
        }

        public Settings withHistory(EventHistory.Limits h) {
            return new Settings(port, h, lossless, rate, maxFrames, waitForSubscriber);
        }

        public Settings withWaitForSubscriber(boolean w) {
            return new Settings(port, history, lossless, rate, maxFrames, w);
        }
    }

    private final Settings settings;
    private final String domain;
    private final EventHistory history;
    private final FaultInjector faults;
    private final WebServer server;
    private final AtomicLong emitted = new AtomicLong();
    private final AtomicInteger connections = new AtomicInteger();
    private final AtomicLong connectionsTotal = new AtomicLong();
    private volatile boolean closed;
    private volatile Thread emitter;

    /** Starts listening now (so the port is known for DID documents); {@link #start} starts emitting. */
    public SimHost(Settings settings, String domain, long seed) {
        this.settings = settings;
        this.domain = domain;
        this.history = new EventHistory(settings.history(), settings.lossless());
        this.faults = new FaultInjector(seed);
        var http = HttpRouting.builder()
                .get("/xrpc/com.atproto.server.describeServer", this::describeServer)
                .get("/_health", (req, res) -> json(res, "{\"version\":\"jlay-sim\"}"))
                .get("/_sim/status", (req, res) -> json(res, JSON.writeValueAsString(status())))
                .post("/_sim/fault", this::fault);
        var ws = WsRouting.builder().endpoint(SUBSCRIBE_PATH, Subscription::new);
        server = WebServer.builder()
                .host("127.0.0.1")
                .port(settings.port())
                .connectionOptions(o -> o.tcpNoDelay(true))
                .addRouting(http)
                .addRouting(ws)
                .shutdownHook(false)
                .build()
                .start();
    }

    public int port() {
        return server.port();
    }

    /** host:port as a relay crawls it. */
    public String hostname() {
        return "localhost:" + port();
    }

    /** The PDS endpoint the DID documents name. */
    public URI url() {
        return URI.create("http://localhost:" + port());
    }

    public String did() {
        return "did:web:localhost%3A" + port();
    }

    public EventHistory history() {
        return history;
    }

    public FaultInjector faults() {
        return faults;
    }

    /** Real events emitted so far (faults not counted). */
    public long emitted() {
        return emitted.get();
    }

    public int connections() {
        return connections.get();
    }

    /** Starts the emitter over {@code source}; once. */
    public synchronized void start(FrameSource source) {
        if (emitter != null) throw new IllegalStateException("already started");
        emitter = Thread.ofPlatform().daemon().name("sim-emit-" + port()).start(() -> emit(source));
    }

    /** True once {@link Settings#maxFrames()} events are out. */
    public boolean finished() {
        return settings.maxFrames() >= 0 && emitted.get() >= settings.maxFrames();
    }

    private void emit(FrameSource source) {
        try {
            while (settings.waitForSubscriber() && !closed && history.subscribers() == 0) {
                Thread.sleep(20);
            }
            long start = System.nanoTime();
            double rate = settings.rate();
            long count = 0; // events paced since start
            while (!closed && !finished()) {
                if (rate > 0) {
                    long now = System.nanoTime();
                    long due = (long) ((now - start) / 1e9 * rate);
                    if (due - count > Math.max(1, rate)) { // after a stall, no burst of more than a second's worth
                        count = due - (long) Math.max(1, rate);
                    }
                    if (count >= due) {
                        long at = start + (long) ((count + 1) / rate * 1e9);
                        LockSupport.parkNanos(Math.max(10_000, at - now));
                        continue;
                    }
                }
                byte[] next = source.next();
                for (byte[] bad : faults.before(next)) {
                    if (history.append(seq -> stamp(bad, seq)) < 0) return;
                }
                if (history.append(seq -> stamp(next, seq)) < 0) return;
                faults.after(next);
                emitted.incrementAndGet();
                count++;
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static byte[] stamp(byte[] frame, long seq) {
        try {
            return SeqStamp.withSeq(frame, seq);
        } catch (ProtocolException e) {
            return frame; // garbage has no seq to stamp
        }
    }

    /**
     * The frame with {@code time} set to now, as it goes on the wire: consumers of a relay can then
     * tell how long it took from this socket to theirs (soak's latency). The history keeps its copy.
     */
    private static byte[] sendTimed(byte[] frame) {
        if (FaultInjector.isGarbage(frame)) return frame;
        byte[] out = frame.clone();
        return EventTime.overwrite(out, EventTime.now()) ? out : frame;
    }

    /** What the host is doing, as {@code /_sim/status} shows it. */
    public ObjectNode status() {
        ObjectNode o = JSON.createObjectNode();
        o.put("host", hostname());
        o.put("emitted", emitted.get());
        o.put("head", history.head());
        o.put("connections", connections.get());
        o.put("connections_total", connectionsTotal.get());
        ObjectNode h = o.putObject("history");
        h.put("events", history.size());
        h.put("bytes", history.bytes());
        h.put("max_events", settings.history().maxEvents());
        h.put("max_bytes", settings.history().maxBytes());
        h.put("evicted", history.evicted());
        ObjectNode f = o.putObject("faults");
        faults.injected().forEach((k, v) -> f.put(k.label(), v));
        return o;
    }

    private void describeServer(ServerRequest req, ServerResponse res) throws Exception {
        ObjectNode o = JSON.createObjectNode();
        o.put("did", did());
        o.putArray("availableUserDomains").add("." + domain);
        o.put("inviteCodeRequired", false);
        json(res, JSON.writeValueAsString(o));
    }

    private void fault(ServerRequest req, ServerResponse res) {
        try {
            var q = req.query();
            Fault kind = Fault.parse(q.first("kind").orElseThrow(() -> new IllegalArgumentException("kind is required")));
            var fraction = q.first("fraction");
            if (fraction.isPresent()) {
                faults.setFraction(kind, Double.parseDouble(fraction.get()));
            } else {
                faults.inject(kind, Integer.parseInt(q.first("count").orElse("1")));
            }
            json(res, "{\"ok\":true}");
        } catch (RuntimeException e) {
            res.status(Status.BAD_REQUEST_400);
            json(res, "{\"error\":\"BadRequest\",\"message\":" + JSON.valueToTree(String.valueOf(e.getMessage())) + "}");
        }
    }

    private static void json(ServerResponse res, String body) {
        res.header(HeaderNames.CONTENT_TYPE, "application/json").send(body);
    }

    /** One subscribeRepos connection: reads the history from its cursor on its own virtual thread. */
    private final class Subscription implements WsListener {
        private volatile long cursor = -1;
        private volatile boolean open = true;

        @Override
        public Optional<Headers> onHttpUpgrade(HttpPrologue prologue, Headers headers) {
            cursor = prologue.query().first("cursor").map(Long::parseLong).orElse(-1L);
            return Optional.empty();
        }

        @Override
        public void onOpen(WsSession session) {
            connections.incrementAndGet();
            connectionsTotal.incrementAndGet();
            Thread.ofVirtual().name("sim-sub-" + port()).start(() -> serve(session));
        }

        @Override
        public void onPing(WsSession session, BufferData buffer) {
            session.pong(buffer); // Helidon leaves the pong to the listener
        }

        @Override
        public void onClose(WsSession session, int status, String reason) {
            open = false;
        }

        @Override
        public void onError(WsSession session, Throwable t) {
            open = false;
        }

        private void serve(WsSession session) {
            EventHistory.Subscriber sub = null;
            try {
                if (cursor > history.head()) {
                    send(session, FirehoseCodec.encode(new ErrorMessage("FutureCursor", "cursor is ahead of the stream")));
                    session.close(WsCloseCodes.NORMAL_CLOSE, "FutureCursor");
                    return;
                }
                // garbage is a fault of the wire, not an event: a replay does not repeat it (else a relay
                // that rightly hangs up on it would meet it again on every reconnect)
                long joinedAt = history.head();
                sub = history.subscribe(cursor);
                while (open && !closed) {
                    var batch = history.read(sub, 256, 500);
                    if (batch.outdated()) {
                        send(session, FirehoseCodec.encode(new InfoMessage("OutdatedCursor",
                                "cursor is older than this host's history")));
                    }
                    if (batch.frames().isEmpty()) continue;
                    long seq = batch.firstSeq();
                    for (byte[] f : batch.frames()) {
                        if (seq++ > joinedAt || !FaultInjector.isGarbage(f)) send(session, sendTimed(f));
                    }
                    history.sent(sub, batch.lastSeq());
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (RuntimeException e) {
                // the subscriber went away mid-send
            } finally {
                if (sub != null) history.unsubscribe(sub);
                connections.decrementAndGet();
                if (closed) {
                    try {
                        session.close(WsCloseCodes.NORMAL_CLOSE, "host shutting down");
                    } catch (RuntimeException ignored) {
                        // already gone
                    }
                }
            }
        }

        private void send(WsSession session, byte[] frame) {
            session.send(BufferData.create(frame), true);
        }
    }

    @Override
    public void close() {
        closed = true;
        history.close();
        Thread t = emitter;
        if (t != null) t.interrupt();
        server.stop();
    }
}
