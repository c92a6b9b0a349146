package dev.jlay.downstream;

import dev.jlay.eventlog.EventRing;
import dev.jlay.eventlog.EventSource;
import dev.jlay.metrics.Counter;
import dev.jlay.metrics.MetricRegistry;
import io.helidon.common.buffers.BufferData;
import io.helidon.http.HeaderNames;
import io.helidon.http.Headers;
import io.helidon.http.HttpPrologue;
import io.helidon.websocket.WsListener;
import io.helidon.websocket.WsSession;
import io.helidon.websocket.WsUpgradeException;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * {@code GET /xrpc/com.atproto.sync.subscribeRepos?cursor=N}: the relay's
 * firehose. Each accepted WebSocket gets a {@link ConsumerPump} on its own
 * virtual thread; the connection's own thread only reads (and ignores) what the
 * client sends. A refused upgrade is not answered here: the request falls
 * through to the path's plain-HTTP route (api's SubscribeReposEdge), which says why.
 */
public final class SubscribeRepos implements AutoCloseable {
    public static final String PATH = "/xrpc/com.atproto.sync.subscribeRepos";
    /** The API's bound on the URL of every path but /subscribe (api.RequestLineLimit): a cursor needs far less. */
    static final int MAX_RAW_QUERY = 4096;

    /**
     * Tuning knobs.
     *
     * @param tooSlowGraceMillis how long a consumer judged too slow may take to get the ConsumerTooSlow
     *                           error frame out before its socket is cut
     */
    public record Settings(int maxConsumers, long writeTimeoutMillis, long tooSlowGraceMillis, long pingMillis,
                           int logBatchEvents, long logBatchBytes, long futureCursorWaitMillis) {
        /** A primary's: a cursor past the head is FutureCursor at once. */
        public Settings(int maxConsumers, long writeTimeoutMillis, long tooSlowGraceMillis, long pingMillis,
                        int logBatchEvents, long logBatchBytes) {
            this(maxConsumers, writeTimeoutMillis, tooSlowGraceMillis, pingMillis, logBatchEvents, logBatchBytes, 0);
        }
    }

    private final EventRing ring;
    private final EventSource log;
    private final TakenDownRepos takedowns;
    private final Settings settings;
    private final ConsumerRegistry registry;
    private final Counter outdatedCursors;
    private final Counter skippedByRetention;
    private final ReplayBatches replayBatches;

    /** @param takedowns accounts whose repo content is not served (loaded from the store, kept by the admin API) */
    public SubscribeRepos(EventRing ring, EventSource log, TakenDownRepos takedowns, Settings settings, MetricRegistry metrics) {
        this.ring = ring;
        this.log = log;
        this.takedowns = takedowns;
        this.settings = settings;
        this.registry = new ConsumerRegistry(settings.maxConsumers(), settings.writeTimeoutMillis(),
                settings.tooSlowGraceMillis(), settings.pingMillis(), ring::head, metrics);
        this.outdatedCursors = metrics.counter("relay_consumer_outdated_cursors_total",
                "Consumers that asked for a cursor older than the retained window.");
        this.skippedByRetention = metrics.counter("relay_consumer_retention_skipped_events_total",
                "Events a replaying consumer missed because retention deleted them mid-replay.");
        this.replayBatches = new ReplayBatches((long) settings.maxConsumers() * settings.logBatchEvents());
        metrics.register(replayBatches);
    }

    public ConsumerRegistry consumers() {
        return registry;
    }

    public TakenDownRepos takedowns() {
        return takedowns;
    }

    /** A listener for one WebSocket on {@link #PATH}. */
    public WsListener listener() {
        return new Listener();
    }

    /** No room for another consumer: an upgrade now would be refused. */
    public boolean full() {
        return registry.size() >= settings.maxConsumers();
    }

    @Override
    public void close() {
        registry.close();
    }

    /** One per connection. */
    private final class Listener implements WsListener {
        private OptionalLong cursor = OptionalLong.empty();
        private String rawCursor = "";
        private String userAgent = "";
        private Consumer consumer;

        @Override
        public Optional<Headers> onHttpUpgrade(HttpPrologue prologue, Headers headers) throws WsUpgradeException {
            if (prologue.query().rawValue().length() > MAX_RAW_QUERY) {
                // not parsed (Helidon's query parsing is slow on huge ones); the plain-HTTP route answers 414
                throw new WsUpgradeException("URL too long");
            }
            rawCursor = prologue.query().first("cursor").orElse("");
            try {
                cursor = Cursor.parse(rawCursor);
            } catch (Cursor.InvalidCursorException e) {
                // not upgraded: the request falls through to the plain-HTTP route, which answers 400
                throw new WsUpgradeException(e.getMessage());
            }
            if (full()) {
                throw new WsUpgradeException("too many consumers");
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
            consumer = registry.add(id -> new Consumer(id, session, remote, userAgent, rawCursor));
            if (consumer == null) {
                session.close(1013, "too many consumers");
                return;
            }
            var pump = new ConsumerPump(consumer, registry, ring, log, takedowns, cursor, settings.pingMillis(),
                    settings.logBatchEvents(), settings.logBatchBytes(), settings.futureCursorWaitMillis(), replayBatches,
                    outdatedCursors, skippedByRetention);
            consumer.pump = Thread.ofVirtual().name("consumer-" + consumer.id).start(pump);
        }

        @Override
        public void onMessage(WsSession session, BufferData buffer, boolean last) {
            // clients send nothing meaningful on this stream; ignore it
        }

        @Override
        public void onMessage(WsSession session, String text, boolean last) {
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
            var c = consumer;
            if (c != null) {
                c.closed = true;
                var t = c.pump;
                if (t != null) {
                    t.interrupt();
                }
                // waits for a write in progress (the interrupt ends a blocked one), so the close frame
                // Helidon sends next cannot land inside a data frame
                c.close(0, null);
                registry.remove(c);
            }
        }
    }
}
