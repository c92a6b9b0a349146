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
import io.helidon.websocket.WsUpgradeException;
import java.net.URI;
import java.time.Duration;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;

/**
 * Thousands of simulated PDS hosts behind ONE loopback listener, told apart by the {@code Host}
 * header: host i is {@code h%05d.sim.test:PORT} (the relay resolves {@code *.sim.test} to
 * 127.0.0.1 with {@code net.LoopbackNames}). Each host has its own bounded {@link EventHistory},
 * seqs, cursor semantics ({@code OutdatedCursor}, {@code FutureCursor}), connections and
 * {@code describeServer}, as a separate {@link SimHost} would, without a server and an emitter
 * thread per host. A connection costs one virtual thread here.
 *
 * <p>Churn: a host can be made to refuse connections, go away (refuse and close what is open),
 * stall (keep its connections open and send nothing) or close its connections abruptly.
 */
public final class VirtualHosts implements AutoCloseable {
    public static final String SUFFIX = ".sim.test";
    private static final ObjectMapper JSON = new ObjectMapper();

    /** What churn does to a host. */
    public enum Churn {
        REFUSE, AWAY, STALL, CLOSE;

        public String label() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /** One simulated host's state. */
    public static final class Host {
        final int index;
        final EventHistory history;
        final AtomicInteger connections = new AtomicInteger();
        final AtomicLong connectionsTotal = new AtomicLong();
        final AtomicLong refused = new AtomicLong();
        final Set<WsSession> sessions = ConcurrentHashMap.newKeySet();
        volatile long refuseUntil;
        volatile long awayUntil;
        volatile long stallUntil;

        Host(int index, EventHistory.Limits limits) {
            this.index = index;
            this.history = new EventHistory(limits, true);
        }

        public EventHistory history() {
            return history;
        }

        public int connections() {
            return connections.get();
        }

        /** Connections ever opened: a test waits on this, since a closed one is counted until its reader notices. */
        public long connectionsTotal() {
            return connectionsTotal.get();
        }
    }

    private final Host[] hosts;
    private final WebServer server;
    private final Supplier<ObjectNode> status;
    private final AtomicLong unknownHost = new AtomicLong();
    private final long readWaitMillis;
    private volatile boolean closed;

    /**
     * @param limits history bounds of host i
     * @param status what {@code GET /_sim/status} answers
     */
    public VirtualHosts(int count, java.util.function.IntFunction<EventHistory.Limits> limits, int port,
                        Supplier<ObjectNode> status) {
        this.hosts = new Host[count];
        for (int i = 0; i < count; i++) hosts[i] = new Host(i, limits.apply(i));
        this.status = status;
        // an idle subscriber wakes this often to notice it was closed (an append wakes it at once)
        this.readWaitMillis = 5_000;
        var http = HttpRouting.builder()
                .get("/xrpc/com.atproto.server.describeServer", this::describeServer)
                .get("/_health", (req, res) -> json(res, "{\"version\":\"jlay-sim\"}"))
                .get("/_sim/status", (req, res) -> json(res, JSON.writeValueAsString(this.status.get())));
        var ws = WsRouting.builder().endpoint(SimHost.SUBSCRIBE_PATH, Subscription::new);
        server = WebServer.builder()
                .host("127.0.0.1")
                .port(port)
                .backlog(8192)
                .idleConnectionTimeout(Duration.ofHours(24))
                .connectionOptions(o -> o.tcpNoDelay(true))
                .addRouting(http)
                .addRouting(ws)
                .shutdownHook(false)
                .build()
                .start();
    }

    public static String domain(int index) {
        return String.format(Locale.ROOT, "h%05d%s", index, SUFFIX);
    }

    public int port() {
        return server.port();
    }

    public int size() {
        return hosts.length;
    }

    public Host host(int i) {
        return hosts[i];
    }

    /** host:port as the relay crawls host i. */
    public String hostname(int i) {
        return domain(i) + ":" + port();
    }

    public URI url(int i) {
        return URI.create("http://" + hostname(i));
    }

    /** Host index of a Host header value (name[:port]), or -1. */
    static int indexOf(String hostHeader) {
        if (hostHeader == null) return -1;
        String h = hostHeader.toLowerCase(Locale.ROOT);
        int colon = h.lastIndexOf(':');
        if (colon > 0) h = h.substring(0, colon);
        if (!h.startsWith("h") || !h.endsWith(SUFFIX)) return -1;
        try {
            return Integer.parseInt(h, 1, h.length() - SUFFIX.length(), 10);
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    private Host hostOf(Headers headers) {
        int i = indexOf(headers.first(HeaderNames.HOST).orElse(null));
        if (i < 0 || i >= hosts.length) {
            unknownHost.incrementAndGet();
            return null;
        }
        return hosts[i];
    }

    /** Appends a frame to host i's history (waits for room while a subscriber has not sent the oldest). */
    public long append(int i, byte[] frame) throws InterruptedException {
        return hosts[i].history.append(seq -> stamp(frame, seq));
    }

    /** Applies churn to host i for {@code millis}. */
    public void churn(int i, Churn kind, long millis) {
        Host h = hosts[i];
        long until = System.nanoTime() + millis * 1_000_000L;
        switch (kind) {
            case REFUSE -> h.refuseUntil = until;
            case AWAY -> {
                h.refuseUntil = until;
                h.awayUntil = until;
                closeAll(h, false);
            }
            case STALL -> h.stallUntil = until;
            case CLOSE -> closeAll(h, true);
        }
    }

    private static void closeAll(Host h, boolean abrupt) {
        for (WsSession s : h.sessions) {
            try {
                if (abrupt) s.terminate(); else s.close(WsCloseCodes.GOING_AWAY, "host going away");
            } catch (RuntimeException ignored) {
                // already gone
            }
        }
    }

    public long connections() {
        long n = 0;
        for (Host h : hosts) n += h.connections.get();
        return n;
    }

    public long refused() {
        long n = 0;
        for (Host h : hosts) n += h.refused.get();
        return n;
    }

    /** Frame bytes held by every host's history. */
    public long historyBytes() {
        long n = 0;
        for (Host h : hosts) n += h.history.bytes();
        return n;
    }

    public long unknownHostRequests() {
        return unknownHost.get();
    }

    private static byte[] stamp(byte[] frame, long seq) {
        try {
            return SeqStamp.withSeq(frame, seq);
        } catch (ProtocolException e) {
            return frame;
        }
    }

    private void describeServer(ServerRequest req, ServerResponse res) throws Exception {
        Host h = hostOf(req.headers());
        if (h == null) {
            res.status(Status.NOT_FOUND_404);
            json(res, "{\"error\":\"NotFound\",\"message\":\"no such simulated host\"}");
            return;
        }
        ObjectNode o = JSON.createObjectNode();
        o.put("did", "did:web:" + domain(h.index));
        o.putArray("availableUserDomains").add("." + domain(h.index));
        o.put("inviteCodeRequired", false);
        json(res, JSON.writeValueAsString(o));
    }

    private static void json(ServerResponse res, String body) {
        res.header(HeaderNames.CONTENT_TYPE, "application/json").send(body);
    }

    /** One subscribeRepos connection to one simulated host, served on its own virtual thread. */
    private final class Subscription implements WsListener {
        private volatile Host host;
        private volatile long cursor = -1;
        private volatile boolean open = true;

        @Override
        public Optional<Headers> onHttpUpgrade(HttpPrologue prologue, Headers headers) throws WsUpgradeException {
            Host h = hostOf(headers);
            if (h == null) throw new WsUpgradeException("no such simulated host");
            if (System.nanoTime() - h.refuseUntil < 0) {
                h.refused.incrementAndGet();
                throw new WsUpgradeException("host refuses connections (simulated churn)");
            }
            host = h;
            try {
                cursor = prologue.query().first("cursor").map(Long::parseLong).orElse(-1L);
            } catch (NumberFormatException e) {
                throw new WsUpgradeException("bad cursor");
            }
            return Optional.empty();
        }

        @Override
        public void onOpen(WsSession session) {
            Host h = host;
            h.connections.incrementAndGet();
            h.sessions.add(session);
            h.connectionsTotal.incrementAndGet();
            // upgraded just before the host went away: closeAll may have missed this session
            if (System.nanoTime() - h.awayUntil < 0) {
                try {
                    session.close(WsCloseCodes.GOING_AWAY, "host going away");
                } catch (RuntimeException ignored) {
                    // already gone
                }
            }
            Thread.ofVirtual().name("vsim-sub-" + h.index).start(() -> serve(h, session));
        }

        @Override
        public void onPing(WsSession session, BufferData buffer) {
            session.pong(buffer);
        }

        @Override
        public void onClose(WsSession session, int status, String reason) {
            open = false;
        }

        @Override
        public void onError(WsSession session, Throwable t) {
            open = false;
        }

        private void serve(Host h, WsSession session) {
            EventHistory.Subscriber sub = null;
            try {
                if (cursor > h.history.head()) {
                    send(session, FirehoseCodec.encode(new ErrorMessage("FutureCursor", "cursor is ahead of the stream")));
                    session.close(WsCloseCodes.NORMAL_CLOSE, "FutureCursor");
                    return;
                }
                sub = h.history.subscribe(cursor);
                while (open && !closed && h.sessions.contains(session)) {
                    long stall = h.stallUntil - System.nanoTime();
                    if (stall > 0) {
                        Thread.sleep(Math.min(1 + stall / 1_000_000, readWaitMillis));
                        continue;
                    }
                    var batch = h.history.read(sub, 256, readWaitMillis);
                    if (batch.outdated()) {
                        send(session, FirehoseCodec.encode(new InfoMessage("OutdatedCursor",
                                "cursor is older than this host's history")));
                    }
                    if (batch.frames().isEmpty()) continue;
                    for (byte[] f : batch.frames()) send(session, sendTimed(f));
                    h.history.sent(sub, batch.lastSeq());
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (RuntimeException e) {
                // the subscriber went away mid-send, or churn closed it
            } finally {
                if (sub != null) h.history.unsubscribe(sub);
                h.sessions.remove(session);
                h.connections.decrementAndGet();
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

    /** The frame with {@code time} set to now, as it goes on the wire (soak's latency starts here). */
    private static byte[] sendTimed(byte[] frame) {
        byte[] out = frame.clone();
        return EventTime.overwrite(out, EventTime.now()) ? out : frame;
    }

    @Override
    public void close() {
        closed = true;
        for (Host h : hosts) h.history.close();
        server.stop();
    }
}
