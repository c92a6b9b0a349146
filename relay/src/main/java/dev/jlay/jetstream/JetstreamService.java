package dev.jlay.jetstream;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.jlay.downstream.TakenDownRepos;
import dev.jlay.eventlog.EventLog;
import dev.jlay.eventlog.EventRing;
import dev.jlay.eventlog.LogEvent;
import dev.jlay.memory.BoundedBuffer;
import dev.jlay.metrics.Counter;
import dev.jlay.metrics.MetricRegistry;
import io.helidon.common.buffers.BufferData;
import io.helidon.http.HeaderNames;
import io.helidon.http.Headers;
import io.helidon.http.HttpPrologue;
import io.helidon.websocket.WsListener;
import io.helidon.websocket.WsSession;
import io.helidon.websocket.WsUpgradeException;
import java.io.IOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * {@code GET /subscribe}: Jetstream v1's JSON stream, served from the relay's own verified event log.
 * Each accepted WebSocket gets a {@link JetstreamPump} on a virtual thread; the socket's thread
 * reads the client's {@code options_update} messages. Translation ({@link JetstreamTranslator}) is
 * shared through the {@link TranslationCache} near the head; zstd frames are made once per event.
 * Slow connections follow the firehose's rule: one whose socket write makes no progress for the
 * write timeout is cut; one that keeps writing (catching up from the log) is never kicked.
 */
public final class JetstreamService implements AutoCloseable {
    public static final String PATH = "/subscribe";
    private static final System.Logger LOG = System.getLogger(JetstreamService.class.getName());
    private static final ObjectMapper MAPPER = new ObjectMapper();
    /** Jetstream's cap on a client message (decimal 10 MB). */
    static final int MAX_CLIENT_MESSAGE_BYTES = 10_000_000;
    static final int LAG_SERIES = 64;
    /** Per connection, besides its frame buffer: our bookkeeping and a virtual thread's stack chunk, roughly. */
    static final long CONNECTION_FIXED_BYTES = 2048;
    /** Close codes: bad client message JSON (invalid frame payload data), invalid options (policy violation). */
    static final int CLOSE_BAD_MESSAGE = 1007;
    static final int CLOSE_INVALID_OPTIONS = 1008;

    /**
     * @param cacheEvents translated events kept near the head (shared by every connection)
     * @param cacheBytes  their byte bound
     */
    public record Settings(int maxConnections, long writeTimeoutMillis, long pingMillis, int cacheEvents,
                           long cacheBytes, int logBatchEvents, long logBatchBytes) {
    }

    /** One connection, for the admin listing and the status page. */
    public record ConnectionView(long id, String remoteAddress, String userAgent, Instant connectedAt,
                                 String requestedCursor, boolean compress, String filter, long lastSeq,
                                 long lagEvents, long eventsSent, long bytesSent) {
    }

    /** Why an upgrade was refused; the plain-HTTP route on the path answers with it. */
    public record Refusal(int status, String message) {
    }

    private final EventRing ring;
    private final EventLog log;
    private final TakenDownRepos takedowns;
    private final Settings settings;
    private final JetstreamTranslator translator = new JetstreamTranslator();
    private final TranslationCache cache;
    private final ZstdFrames zstd = new ZstdFrames();
    private final ConcurrentHashMap<Long, JetstreamConnection> connections = new ConcurrentHashMap<>();
    private final AtomicLong ids = new AtomicLong();
    private final Counter sentJson;
    private final Counter sentZstd;
    private final Counter bytesJson;
    private final Counter bytesZstd;
    private final Counter translatedShared;
    private final Counter translatedReplay;
    private final Counter translateErrors;
    private final Counter tooSlow;
    private final Counter rejectedFull;
    private final Counter rejectedOptions;
    private final Counter optionsApplied;
    private final Counter optionsInvalid;
    private final Counter cursorReplay;
    private final Counter cursorOld;
    private final Counter cursorFuture;
    private final Thread watchdog;
    private volatile boolean running = true;

    public JetstreamService(EventRing ring, EventLog log, TakenDownRepos takedowns, Settings settings,
                            MetricRegistry metrics) {
        this.ring = ring;
        this.log = log;
        this.takedowns = takedowns;
        this.settings = settings;
        this.cache = new TranslationCache(settings.cacheEvents(), settings.cacheBytes());
        metrics.register(cache);
        // per connection: our bookkeeping plus a virtual thread's stack chunk, roughly, and its frame buffer
        metrics.register(BoundedBuffer.of("jetstream_connections", connections::size, settings::maxConnections, () -> {
            long b = 0;
            for (var c : connections.values()) {
                b += CONNECTION_FIXED_BYTES + c.bufferBytes();
            }
            return b;
        }));
        metrics.gauge("relay_jetstream_connections", "Connected /subscribe (Jetstream) clients.", connections::size);
        String sentHelp = "Jetstream events written to /subscribe clients, by encoding (json text or zstd binary).";
        this.sentJson = metrics.counter("relay_jetstream_events_sent_total", sentHelp, "encoding", "json");
        this.sentZstd = metrics.counter("relay_jetstream_events_sent_total", sentHelp, "encoding", "zstd");
        String bytesHelp = "Bytes of Jetstream events written to /subscribe clients, by encoding.";
        this.bytesJson = metrics.counter("relay_jetstream_sent_bytes_total", bytesHelp, "encoding", "json");
        this.bytesZstd = metrics.counter("relay_jetstream_sent_bytes_total", bytesHelp, "encoding", "zstd");
        String translatedHelp = "Log events translated to Jetstream JSON: shared (near the head, once for every "
                + "connection) or replay (a connection reading the log behind the cache).";
        this.translatedShared = metrics.counter("relay_jetstream_translations_total", translatedHelp, "path", "shared");
        this.translatedReplay = metrics.counter("relay_jetstream_translations_total", translatedHelp, "path", "replay");
        this.translateErrors = metrics.counter("relay_jetstream_translate_errors_total",
                "Log events that could not be translated to Jetstream JSON (skipped).");
        this.tooSlow = metrics.counter("relay_jetstream_kicks_total",
                "/subscribe connections cut by the relay.", "reason", "too_slow");
        String rejectedHelp = "/subscribe upgrades refused.";
        this.rejectedFull = metrics.counter("relay_jetstream_rejections_total", rejectedHelp, "reason", "too_many");
        this.rejectedOptions = metrics.counter("relay_jetstream_rejections_total", rejectedHelp, "reason",
                "invalid_options");
        String optionsHelp = "options_update messages from /subscribe clients, by outcome.";
        this.optionsApplied = metrics.counter("relay_jetstream_options_updates_total", optionsHelp, "outcome",
                "applied");
        this.optionsInvalid = metrics.counter("relay_jetstream_options_updates_total", optionsHelp, "outcome",
                "closed");
        String cursorHelp = "/subscribe connections that gave a cursor, by where it pointed: replay (in the log), "
                + "older_than_log (started at the oldest event), future (started live).";
        this.cursorReplay = metrics.counter("relay_jetstream_cursor_requests_total", cursorHelp, "start", "replay");
        this.cursorOld = metrics.counter("relay_jetstream_cursor_requests_total", cursorHelp, "start",
                "older_than_log");
        this.cursorFuture = metrics.counter("relay_jetstream_cursor_requests_total", cursorHelp, "start", "future");
        metrics.collect("relay_jetstream_lag_events", "relay_seq minus the /subscribe connection's last seq.",
                MetricRegistry.Kind.GAUGE, "connection", LAG_SERIES, MetricRegistry.Fold.MAX, sink -> {
                    long h = ring.head();
                    for (var c : connections.values()) {
                        sink.sample(Long.toString(c.id), Math.max(0, h - c.lastSeq));
                    }
                });
        long tick = Math.max(10, Math.min(1000, settings.writeTimeoutMillis() / 4));
        this.watchdog = Thread.ofPlatform().name("jetstream-watchdog").daemon(true).start(() -> watch(tick));
    }

    /** A listener for one WebSocket on {@link #PATH}. */
    public WsListener listener() {
        return new Listener();
    }

    /**
     * Why this request would not be upgraded, or empty when it would: what the plain-HTTP route on
     * the path answers (400 with Jetstream's reason for bad options or cursor, 503 when full).
     */
    public Optional<Refusal> refusal(String rawQuery) {
        try {
            Options.parse(JetstreamQuery.parse(rawQuery));
        } catch (JetstreamFilter.InvalidOptionsException e) {
            return Optional.of(new Refusal(400, e.getMessage()));
        }
        if (full()) {
            return Optional.of(new Refusal(503, "too many connections"));
        }
        return Optional.empty();
    }

    public boolean full() {
        return connections.size() >= settings.maxConnections();
    }

    public int size() {
        return connections.size();
    }

    /** Every connection with its filter, by id (bounded by the connection limit). */
    public List<ConnectionView> list() {
        long h = ring.head();
        var out = new ArrayList<ConnectionView>();
        for (var c : connections.values()) {
            out.add(c.view(h));
        }
        out.sort((a, b) -> Long.compare(a.id(), b.id()));
        return out;
    }

    public long tooSlowKicks() {
        return tooSlow.get();
    }

    ZstdFrames zstd() {
        return zstd;
    }

    int logBatchEvents() {
        return settings.logBatchEvents();
    }

    long logBatchBytes() {
        return settings.logBatchBytes();
    }

    /** An event from the ring: translated once for everyone (null when it cannot be translated). */
    TranslatedEvent translateShared(LogEvent e) {
        try {
            return cache.translate(e, ev -> {
                translatedShared.increment();
                return translator.translate(ev);
            });
        } catch (JetstreamTranslator.UntranslatableException bad) {
            translateErrors.increment();
            LOG.log(System.Logger.Level.WARNING, "jetstream cannot translate " + bad.getMessage());
            return null;
        }
    }

    /** An event read from the log behind the cache: the cached translation if still there, else this connection's. */
    TranslatedEvent translateReplay(LogEvent e) {
        var hit = cache.get(e.seq());
        if (hit != null) {
            return hit;
        }
        try {
            translatedReplay.increment();
            return translator.translate(e);
        } catch (JetstreamTranslator.UntranslatableException bad) {
            translateErrors.increment();
            return null;
        }
    }

    void sent(boolean compressed, int bytes) {
        if (compressed) {
            sentZstd.increment();
            bytesZstd.add(bytes);
        } else {
            sentJson.increment();
            bytesJson.add(bytes);
        }
    }

    void countCursor(String kind) {
        switch (kind) {
            case "future" -> cursorFuture.increment();
            case "older_than_log" -> cursorOld.increment();
            default -> cursorReplay.increment();
        }
    }

    void remove(JetstreamConnection c) {
        connections.remove(c.id);
    }

    private void watch(long tickMillis) {
        long timeout = TimeUnit.MILLISECONDS.toNanos(settings.writeTimeoutMillis());
        while (running) {
            try {
                Thread.sleep(tickMillis);
            } catch (InterruptedException e) {
                return;
            }
            long now = System.nanoTime();
            for (var c : connections.values()) {
                if (!c.closed && c.writeStuckNanos(now) > timeout) {
                    // Jetstream v1 has no error frame, and a stuck socket would not take one anyway
                    tooSlow.increment();
                    LOG.log(System.Logger.Level.INFO, "jetstream connection {0} ({1}) too slow: no write progress "
                            + "for {2} ms; cut", c.id, c.remoteAddress, TimeUnit.NANOSECONDS.toMillis(c.writeStuckNanos(now)));
                    c.abort();
                }
            }
        }
    }

    @Override
    public void close() {
        running = false;
        watchdog.interrupt();
        for (var c : connections.values()) {
            c.closed = true;
            c.wake();
        }
        zstd.close();
    }

    /** The query of one upgrade, parsed as Jetstream v1 reads it. */
    record Options(JetstreamFilter filter, OptionalLong cursorMicros, boolean compress, boolean requireHello,
                   String rawCursor) {
        static Options parse(JetstreamQuery q) throws JetstreamFilter.InvalidOptionsException {
            var filter = JetstreamFilter.parse(q.all("wantedCollections"), q.all("wantedDids"),
                    JetstreamFilter.maxMessageSize(q.first("maxMessageSizeBytes")));
            String raw = q.first("cursor");
            OptionalLong cursor = OptionalLong.empty();
            if (!raw.isEmpty()) {
                try {
                    cursor = OptionalLong.of(Long.parseLong(raw));
                } catch (NumberFormatException e) {
                    throw new JetstreamFilter.InvalidOptionsException("invalid cursor: " + raw);
                }
            }
            return new Options(filter, cursor, "true".equals(q.first("compress")),
                    "true".equals(q.first("requireHello")), raw);
        }
    }

    /** One per connection. */
    private final class Listener implements WsListener {
        private Options options;
        private String userAgent = "";
        private JetstreamConnection conn;
        private final StringBuilder partial = new StringBuilder();

        @Override
        public Optional<Headers> onHttpUpgrade(HttpPrologue prologue, Headers headers) throws WsUpgradeException {
            try {
                options = Options.parse(JetstreamQuery.parse(prologue.query().rawValue()));
            } catch (JetstreamFilter.InvalidOptionsException e) {
                rejectedOptions.increment();
                throw new WsUpgradeException(e.getMessage()); // the plain-HTTP route answers 400 with the reason
            }
            if (headers.first(HeaderNames.create("Socket-Encoding")).orElse("").contains("zstd")) {
                options = new Options(options.filter(), options.cursorMicros(), true, options.requireHello(),
                        options.rawCursor());
            }
            if (full()) {
                rejectedFull.increment();
                throw new WsUpgradeException("too many connections");
            }
            userAgent = headers.first(HeaderNames.USER_AGENT).orElse("");
            if (userAgent.length() > 200) {
                userAgent = userAgent.substring(0, 200);
            }
            return Optional.empty();
        }

        @Override
        public void onOpen(WsSession session) {
            var remote = session.socketContext().remotePeer().address().toString();
            JetstreamConnection c;
            synchronized (connections) {
                if (connections.size() >= settings.maxConnections()) {
                    rejectedFull.increment();
                    session.close(1013, "too many connections");
                    return;
                }
                c = new JetstreamConnection(ids.incrementAndGet(), session, remote, userAgent, options.rawCursor(),
                        options.compress(), options.requireHello(), options.filter());
                connections.put(c.id, c);
            }
            conn = c;
            var pump = new JetstreamPump(c, JetstreamService.this, ring, log, takedowns, options.cursorMicros(),
                    settings.pingMillis());
            c.pump = Thread.ofVirtual().name("jetstream-" + c.id).start(pump);
        }

        @Override
        public void onMessage(WsSession session, String text, boolean last) {
            if (partial.length() + text.length() > MAX_CLIENT_MESSAGE_BYTES) {
                partial.setLength(0);
                conn.close(1009, "message too big");
                return;
            }
            partial.append(text);
            if (!last) {
                return;
            }
            String message = partial.toString();
            partial.setLength(0);
            clientMessage(message);
        }

        @Override
        public void onMessage(WsSession session, BufferData buffer, boolean last) {
            // Jetstream reads text messages only
        }

        private void clientMessage(String message) {
            var c = conn;
            if (c == null) {
                return;
            }
            JsonNode root;
            try {
                root = MAPPER.readTree(message);
            } catch (IOException e) {
                root = null;
            }
            if (root == null || !root.isObject()) {
                optionsInvalid.increment();
                c.close(CLOSE_BAD_MESSAGE, "bad SubscriberSourcedMessage envelope");
                return;
            }
            if (!"options_update".equals(root.path("type").asText(null))) {
                return; // Jetstream ignores a message type it does not know
            }
            var payload = root.path("payload");
            JetstreamFilter filter;
            try {
                if (!payload.isObject()) {
                    throw new IOException("payload is not an object");
                }
                var cols = strings(payload.get("wantedCollections"));
                var dids = strings(payload.get("wantedDids"));
                var max = payload.get("maxMessageSizeBytes");
                if (max != null && !max.isNull() && !max.isIntegralNumber()) {
                    throw new IOException("maxMessageSizeBytes is not an integer");
                }
                long maxBytes = max == null ? 0 : max.asLong();
                filter = JetstreamFilter.parse(cols, dids, maxBytes < 0 || maxBytes > Integer.MAX_VALUE ? 0 : (int) maxBytes);
            } catch (IOException e) {
                optionsInvalid.increment();
                c.close(CLOSE_BAD_MESSAGE, "bad options_update payload");
                return;
            } catch (JetstreamFilter.InvalidOptionsException e) {
                optionsInvalid.increment();
                c.close(CLOSE_INVALID_OPTIONS, e.getMessage());
                return;
            }
            c.filter = filter;
            optionsApplied.increment();
            c.hello.countDown();
        }

        private static List<String> strings(JsonNode node) throws IOException {
            if (node == null || node.isNull()) {
                return List.of();
            }
            if (!node.isArray()) {
                throw new IOException("not an array");
            }
            var out = new ArrayList<String>(node.size());
            for (var item : node) {
                if (!item.isTextual()) {
                    throw new IOException("not a string");
                }
                out.add(item.asText());
            }
            return out;
        }

        @Override
        public void onClose(WsSession session, int status, String reason) {
            stop();
        }

        @Override
        public void onError(WsSession session, Throwable t) {
            stop();
        }

        private void stop() {
            var c = conn;
            if (c != null) {
                c.closed = true;
                c.wake();
                // waits for a write in progress (the interrupt ends a blocked one), so the close frame
                // Helidon sends next cannot land inside a frame of ours
                c.awaitWrite();
                remove(c);
            }
        }
    }
}
